package io.salesos.cli;

import io.salesos.config.SalesosConfig;
import io.salesos.mirror.StageVocabularyStore;
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
        description = {"the deployment's configuration: its mappings add custom fields the rules may use, and each"
            + " connection's deal stages are read from its CRM (and mirrored) so stage names are checked against them"
            + " (with --against, default config/demo.yaml under SALESOS_HOME)"})
    Path config;

    @CommandLine.Option(names = "--offline",
        description = "with --config: check against the stages last mirrored for each connection, without calling any CRM")
    boolean offline;

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
      if (cfg.isEmpty()) {
        System.out.println("stages: the standard ones (" + String.join(", ", RuleVocabulary.standard().stages())
            + "); give --config to check against your CRMs' own");
        return RulesCheck.run(folder, RuleVocabulary.standard(), System.out).exitCode();
      }
      var names = cfg.get().connections().stream().map(SalesosConfig.ConnectionConfig::name).toList();
      var mappings = cfg.get().connections().stream().map(x -> Mapping.load(x.mapping())).toList();
      if (offline) {
        if (against != null) {
          throw new IllegalArgumentException("--against evaluates over the live mirror; leave out --offline");
        }
        try (var db = SalesosRuntime.openDatabase(cfg.get(), System::getenv)) {
          var store = new StageVocabularyStore(db, Clock.systemUTC());
          for (var n : names) {
            System.out.println("stages of " + n + ": " + store.latest(n).map(v -> "as last mirrored (version " + v.version()
                + ", read " + v.readAt() + ")").orElse("none mirrored yet, the standard ones stand in"));
          }
          return RulesCheck.run(folder, LiveRuleSet.mirroredVocabulary(db, names, mappings), System.out).exitCode();
        }
      }
      // live: each connection's stages read from its CRM now (and mirrored), a CRM that cannot be read is said
      try (var runtime = SalesosRuntime.open(cfg.get(), Map.of(), System::getenv, Clock.systemUTC())) {
        var pipeline = runtime.pipeline();
        var before = new java.util.HashMap<String, Optional<java.time.Instant>>();
        var store = new StageVocabularyStore(runtime.database(), Clock.systemUTC());
        names.forEach(n -> before.put(n, store.latest(n).map(StageVocabularyStore.Versioned::checkedAt)));
        pipeline.readStages(Optional.empty());
        for (var n : names) {
          var now = store.latest(n);
          boolean read = now.isPresent() && !now.map(StageVocabularyStore.Versioned::checkedAt).equals(before.get(n));
          System.out.println("stages of " + n + ": " + (read ? "read from the CRM (version " + now.get().version() + ")"
              : now.map(v -> "could not be read now; the last mirrored ones (version " + v.version() + ", read " + v.readAt()
                  + ") stand in").orElse("not read (no stage list from this CRM, or it could not be reached: see the log);"
                  + " the standard ones stand in")));
        }
        var vocabulary = LiveRuleSet.mirroredVocabulary(runtime.database(), names, mappings);
        var result = RulesCheck.run(folder, vocabulary, System.out);
        if (result.exitCode() != 0 || against == null) {
          return result.exitCode();
        }
        // the candidate files, not the set in force: an edit is checked on real data before it is deployed
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
  
  }
}
