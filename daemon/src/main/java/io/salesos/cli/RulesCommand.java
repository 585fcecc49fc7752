package io.salesos.cli;

import io.salesos.config.SalesosConfig;
import io.salesos.mapping.Mapping;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.rules.RuleVocabulary;
import io.salesos.rules.RulesCheck;
import java.nio.file.Path;
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
      description = "Load and compile every rule file; print each problem as FILE:LINE:COL: message (exit 1), or a one-line summary (exit 0).")
  static final class Check implements java.util.concurrent.Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "the rules folder (default: rules/ under SALESOS_HOME)")
    Path dir;

    @CommandLine.Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "a configuration whose mappings add custom fields the rules may use")
    Path config;

    @Override
    public Integer call() {
      var folder = dir != null ? dir : Home.dir().resolve("rules");
      RuleVocabulary vocabulary = RuleVocabulary.standard();
      if (config != null) {
        var cfg = SalesosConfig.load(config);
        vocabulary = LiveRuleSet.vocabulary(cfg.connections().stream().map(c -> Mapping.load(c.mapping())).toList());
      }
      return RulesCheck.run(folder, vocabulary, System.out);
    }
  }
}
