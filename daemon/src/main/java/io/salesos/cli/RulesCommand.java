package io.salesos.cli;

import io.salesos.config.SalesosConfig;
import io.salesos.mapping.Mapping;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.DryRunReport;
import io.salesos.rules.RuleVocabulary;
import io.salesos.rules.RulesCheck;
import io.salesos.runtime.SalesosRuntime;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Checks the rule files an ops team edits. */
@Command(name = "rules", mixinStandardHelpOptions = true, description = "Work with the rule files.",
    subcommands = {RulesCommand.Check.class})
final class RulesCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = {"Load and compile every rule file; print each problem as FILE:LINE:COL: message (exit 1), or a one-line summary (exit 0).",
          "With --against CONNECTION, then evaluate the files over that connection's mirror, writing and queueing nothing,"
              + " and list the rules that error on real data, each with its count and an example record (exit 2 when any does)."})
  static final class Check implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "the rules folder (default: rules/ under SALESOS_HOME)")
    Path dir;

    @CommandLine.Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "a configuration whose mappings add custom fields the rules may use (with --against: the deployment's, default config/demo.yaml under SALESOS_HOME)")
    Path config;

    @CommandLine.Option(names = "--against", paramLabel = "CONNECTION",
        description = "evaluate the files over this connection's mirror (read only) and list the rules that error on its records")
    String against;

    @Override
    public Integer call() {
      var folder = dir != null ? dir : Home.dir().resolve("rules");
      Optional<SalesosConfig> cfg = Optional.empty();
      if (config != null || against != null) {
        var option = new ConfigOption();
        option.file = config;
        cfg = Optional.of(option.load());
      }
      RuleVocabulary vocabulary = cfg.map(Check::vocabulary).orElseGet(RuleVocabulary::standard);
      var result = RulesCheck.run(folder, vocabulary, System.out);
      if (result.exitCode() != 0 || against == null) {
        return result.exitCode();
      }
      // the candidate files, not the set in force: an edit is checked on real data before it is deployed
      try (var runtime = SalesosRuntime.open(cfg.orElseThrow(), Map.of(), System::getenv, Clock.systemUTC())) {
        var runs = runtime.pipeline().dryRun(result.ruleSet().orElseThrow(), Optional.of(against));
        boolean anyErrored = false;
        for (var r : runs) {
          System.out.println("== " + r.source() + ": " + r.deals() + " deals evaluated, nothing queued ==");
          System.out.print(DryRunReport.renderErrors(r.desired()));
          anyErrored |= !r.errors().isEmpty();
        }
        return anyErrored ? DryRunCommand.RULES_ERROR : 0;
      }
    }
  
    /**
     * The configuration's vocabulary: its mappings' custom fields, and, when a mapping declares
     * custom objects, their relations typed as the mirror last held them (offline: the CRM is not
     * asked; `salesos sync` or the daemon bring the tables in step with the CRM's describe).
     */
    static RuleVocabulary vocabulary(SalesosConfig cfg) {
      var mappings = cfg.connections().stream().map(x -> Mapping.load(x.mapping())).toList();
      if (mappings.stream().allMatch(m -> m.customObjects().isEmpty())) {
        return LiveRuleSet.vocabulary(mappings);
      }
      var names = cfg.connections().stream().map(x -> x.name()).collect(java.util.stream.Collectors.toSet());
      try (var database = SalesosRuntime.openDatabase(cfg, System::getenv)) {
        var relations = new io.salesos.mirror.CustomTables(database, Clock.systemUTC()).relations(Optional.empty()).stream()
            .filter(r -> names.contains(r.source())).toList();
        if (relations.isEmpty()) {
          System.out.println("note: the mirror holds no custom object yet; rules that read a relation (account.<name>) are"
              + " checked once `salesos sync` has described and mirrored them");
        }
        return LiveRuleSet.vocabulary(mappings, relations);
      }
    }
  }
}
