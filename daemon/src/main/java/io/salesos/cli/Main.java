package io.salesos.cli;

import io.salesos.schedule.SerialFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code salesos} command line: one verb per thing an admin, an ops analyst or a bench run does. */
@Command(
    name = "salesos",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "The execution layer beside Salesforce or HubSpot: mirrors the CRM into MariaDB, "
        + "runs the team's rules, writes flags, tasks and visit plans back.",
    subcommands = {
      RunCommand.class,
      InstallCommand.class,
      SyncCommand.class,
      OutboxCommand.class,
      DraftsCommand.class,
      RulesCommand.class,
      DryRunCommand.class,
      ExplainCommand.class,
      PlanCommand.class,
      RollbackCommand.class,
      ReconcileCommand.class,
      SchemaCommand.class,
      ConfigCommand.class,
      AuditCommand.class,
      ForgetCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    SerialFilter.installProcessWide();
    System.exit(execute(args));
  }

  /** Runs the command line and returns its exit code (for tests). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  /**
   * The command line with the production daemon's verbs, errors printed as one line (a stack trace
   * with SALESOS_DEBUG set); the launcher adds demo, sandbox and bench to it.
   */
  public static CommandLine commandLine() {
    var cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      commandLine.getErr().println("salesos: " + commandLine.getCommandName() + ": " + message(ex));
      if (System.getenv("SALESOS_DEBUG") != null) {
        ex.printStackTrace(commandLine.getErr());
      }
      return 1;
    });
    return cli;
  }

  public static String message(Throwable ex) {
    var m = ex.getMessage();
    return m == null ? ex.getClass().getSimpleName() : m;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The version from the build, e.g. {@code salesos 0.1.0-SNAPSHOT}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"salesos " + version(), "Java " + System.getProperty("java.version")};
    }
  }

  public static String version() {
    var props = new Properties();
    try (var in = Main.class.getResourceAsStream("/io/salesos/version.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props.getProperty("version", "unknown");
  }
}
