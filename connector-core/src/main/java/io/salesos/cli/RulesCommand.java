package io.salesos.cli;

import io.salesos.evaluate.RuleSets;
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
        var cfg = io.salesos.config.SalesosConfig.load(config);
        var connections = new java.util.ArrayList<io.salesos.sync.CrmConnection>();
        for (var c : cfg.connections()) {
          var mapping = io.salesos.mapping.Mapping.load(c.mapping());
          connections.add(new io.salesos.sync.CrmConnection(c.name(), c.type(), new NoConnector(c.name()), mapping, false));
        }
        vocabulary = RuleSets.vocabulary(connections);
      }
      return RulesCheck.run(folder, vocabulary, System.out);
    }
  }

  /** Stands in for a connection when only its mapping matters. */
  private record NoConnector(String name) implements io.salesos.spi.Connector {
    @Override
    public io.salesos.spi.CrmSchema describe() {
      throw new UnsupportedOperationException("rules check does not connect to a CRM");
    }

    @Override
    public io.salesos.spi.PullBatch pull(io.salesos.spi.PullRequest request) {
      throw new UnsupportedOperationException("rules check does not connect to a CRM");
    }

    @Override
    public java.util.List<io.salesos.spi.WriteResult> push(String crmObject, java.util.List<io.salesos.spi.Write> writes) {
      throw new UnsupportedOperationException("rules check does not connect to a CRM");
    }

    @Override
    public int maxWriteBatch() {
      return 1;
    }

    @Override
    public io.salesos.spi.ApiBudget limits() {
      return io.salesos.spi.ApiBudget.UNKNOWN;
    }
  }
}
