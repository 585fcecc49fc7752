package io.salesos.cli;

import io.salesos.outbox.AllowList;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.config.SalesosConfig;
import io.salesos.runtime.Connections;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.schema.FieldPreparer;
import io.salesos.schema.InputFields;
import io.salesos.schema.NeededFields;
import io.salesos.schema.SchemaCheck;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.FieldCreation;
import io.salesos.spi.FieldSpec;
import io.salesos.connection.CrmConnection;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Checks and creates the CRM fields salesos writes. */
@Command(name = "schema", mixinStandardHelpOptions = true,
    description = "Check (verify) or create (prepare) the CRM fields salesos writes: its flags, the evidence-adjusted"
        + " forecast category, the external id of the records it creates, and the fields of tasks and visit plans.",
    subcommands = {SchemaCommand.Verify.class, SchemaCommand.Prepare.class})
final class SchemaCommand implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "List, per CRM connection, every field salesos writes and whether the CRM has it, of a fitting type"
          + " and writable. Exits 0 only when nothing is missing, 3 when the deadline passed first.")
  static final class Verify implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--connection", description = "only this connection")
    String connection;

    @Mixin
    Deadline.Option deadline;

    @Override
    public Integer call() throws Exception {
      return deadline.within("schema verify", this::verify);
    }

    private Integer verify() throws ConnectorException {
      var cfg = config.load();
      try (var opened = open(cfg, connection)) {
        boolean complete = true;
        for (var c : opened.connections()) {
          var check = new FieldPreparer(c.name(), c.connector(), NeededFields.of(c.mapping(), opened.allow())).check();
          print(System.out, check);
          printInputs(System.out, InputFields.missing(c.mapping(), opened.allow(), c.connector().describe()));
          complete &= check.complete();
        }
        if (opened.connections().stream().anyMatch(c -> !c.mapping().customObjects().isEmpty())) {
          try (var database = io.salesos.runtime.SalesosRuntime.openDatabase(cfg, System::getenv)) {
            var tables = new io.salesos.mirror.CustomTables(database, Clock.systemUTC());
            for (var c : opened.connections()) {
              if (!c.mapping().customObjects().isEmpty()) {
                complete &= printCustomObjects(System.out, c, c.connector().describe(), tables);
              }
            }
          }
        }
        if (!complete) {
          System.out.println();
          System.out.println("Some fields are missing or unfit. `salesos schema prepare --config " + configArg()
              + "` creates the missing ones (add --dry-run to see what it would do); the others need a person in the"
              + " CRM's setup.");
        }
        return complete ? 0 : 2;
      }
    }

    private String configArg() {
      return config.file == null ? "config/demo.yaml" : config.file.toString();
    }
  }

  @Command(name = "prepare", mixinStandardHelpOptions = true,
      description = "Create the fields salesos writes that the CRM lacks (HubSpot: properties API; Salesforce: Metadata"
          + " API, or a package to deploy when the API is not allowed). Existing fields are never changed. Exits 3 when"
          + " the deadline passed first (the fields created by then stay).")
  static final class Prepare implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Option(names = "--connection", description = "only this connection")
    String connection;

    @Option(names = "--dry-run", description = "show what would be created; change nothing")
    boolean dryRun;

    @Option(names = "--inputs", description = "also create the input fields the mapping reads that the CRM lacks"
        + " (schema verify lists them with what salesos does without each)")
    boolean inputs;

    @Option(names = "--package-dir", paramLabel = "DIR",
        description = "write a deployable package (Salesforce metadata) into DIR/<connection> instead of calling the CRM")
    Path packageDir;

    @Mixin
    Deadline.Option deadline;

    @Override
    public Integer call() throws Exception {
      return deadline.within("schema prepare", this::prepare);
    }

    private Integer prepare() throws ConnectorException {
      var cfg = config.load();
      try (var opened = open(cfg, connection)) {
        boolean complete = true;
        for (var c : opened.connections()) {
          var needed = new ArrayList<>(NeededFields.of(c.mapping(), opened.allow()));
          if (inputs) {
            needed.addAll(InputFields.asSpecs(c.mapping(), InputFields.missing(c.mapping(), opened.allow(), c.connector().describe())));
          }
          var fallback = Path.of("salesos-schema-package").resolve(c.name()).toAbsolutePath();
          var options = new FieldPreparer.Options(dryRun,
              Optional.ofNullable(packageDir).map(d -> d.resolve(c.name()).toAbsolutePath()), fallback);
          var result = new FieldPreparer(c.name(), c.connector(), needed).prepare(options);
          complete &= print(System.out, c.name(), result, dryRun);
        }
        return complete ? 0 : 2;
      }
    }
  }

  /** The connections of a configuration, opened without the mirror database, and the allow-list. */
  record Opened(List<CrmConnection> connections, AllowList allow) implements AutoCloseable {
    @Override
    public void close() {
      connections.forEach(CrmConnection::close);
    }
  }

  static Opened open(SalesosConfig cfg, String only) {
    var connections = new ArrayList<CrmConnection>();
    try {
      for (var c : cfg.connections()) {
        if (only != null && !only.equals(c.name())) {
          continue;
        }
        if (c.sandbox()) {
          System.out.println(c.name() + ": skipped, it is a sandbox connection (`salesos demo` starts those with every"
              + " field in place)");
          continue;
        }
        connections.add(Connections.open(c, System::getenv, Clock.systemUTC()));
      }
    } catch (RuntimeException e) {
      connections.forEach(CrmConnection::close);
      throw e;
    }
    if (only != null && connections.isEmpty() && cfg.connections().stream().noneMatch(c -> c.name().equals(only))) {
      throw new IllegalArgumentException("no connection named '" + only + "' in the configuration");
    }
    if (connections.isEmpty()) {
      System.out.println("No CRM connection to check in " + cfg.file() + ".");
    }
    // the rules as they will run: stage names checked against the stages each CRM reports
    var stages = new ArrayList<io.salesos.spi.StageVocabulary>();
    for (var c : connections) {
      try {
        stages.add(c.connector().stageVocabulary().orElseGet(io.salesos.rules.RuleVocabulary::standardStages));
      } catch (Exception e) {
        System.out.println(c.name() + ": its deal stages could not be read (" + e.getMessage() + "); the rules are checked"
            + " against the standard ones");
        stages.add(io.salesos.rules.RuleVocabulary.standardStages());
      }
    }
    var custom = LiveRuleSet.vocabulary(connections.stream().map(CrmConnection::mapping).toList()).customFields();
    var vocabulary = stages.isEmpty() ? io.salesos.rules.RuleVocabulary.standard().withCustomFields(custom)
        : io.salesos.rules.RuleVocabulary.of(stages, custom);
    try (var rules = LiveRuleSet.watching(cfg.rulesDir(), vocabulary)) {
      var allow = rules.allowList().orElseThrow(() -> new IllegalArgumentException("the rule files in " + cfg.rulesDir()
          + " do not load, so the fields salesos writes are not known (salesos rules check): " + rules.problems()));
      return new Opened(connections, allow);
    }
  }

  static void print(PrintStream out, SchemaCheck check) {
    out.println(check.connection() + ":");
    out.printf("  %-14s %-32s %-34s %s%n", "OBJECT", "FIELD", "NEEDED", "STATUS");
    for (var r : check.rows()) {
      var status = switch (r.status()) {
        case OK -> "ok";
        case WRONG_TYPE -> "wrong type: found " + r.found() + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
        default -> r.status().text() + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")");
      };
      out.printf("  %-14s %-32s %-34s %s%n", r.field().crmObject(), r.field().name(), needed(r.field()), status);
    }
    long missing = check.rows().stream().filter(r -> r.status() == SchemaCheck.Status.MISSING).count();
    out.println("  " + (check.complete() ? "every field salesos writes is in place"
        : (check.rows().size() - check.rows().stream().filter(r -> r.status() == SchemaCheck.Status.OK).count())
            + " of " + check.rows().size() + " fields need attention (" + missing + " missing)"));
  }

  /**
   * The connection's custom objects: each column as the CRM's describe types it beside the
   * mirror's column, what the next pull does about a difference (add it, migrate it, or refuse a
   * change that would lose data), and the table's migration log. False when one cannot be mirrored.
   */
  static boolean printCustomObjects(PrintStream out, CrmConnection c, io.salesos.spi.CrmSchema schema,
      io.salesos.mirror.CustomTables tables) {
    boolean ok = true;
    out.println("  custom objects (" + c.mapping().customObjects().size() + "):");
    var log = tables.migrations(200);
    for (var d : c.mapping().customObjects()) {
      var relation = d.relation().map(r -> ", rules read it as " + r.parent() + "." + r.name()).orElse("");
      out.println("  " + d.crmObject() + " -> table " + d.tableName() + relation);
      io.salesos.mapping.ObjectMapping resolved;
      try {
        resolved = io.salesos.sync.CustomObjectSync.resolve(c, d, schema);
      } catch (IllegalArgumentException e) {
        out.println("    cannot be mirrored: " + e.getMessage());
        ok = false;
        continue;
      }
      var mirror = tables.columns(d.tableName());
      out.printf("    %-28s %-28s %-10s %-10s %s%n", "COLUMN", "CRM FIELD", "CRM TYPE", "MIRROR", "STATUS");
      for (var f : resolved.fields()) {
        var have = mirror.get(f.canonicalField());
        var want = f.type().name().toLowerCase();
        String status;
        String mirrorType;
        if (have == null) {
          mirrorType = "-";
          status = mirror.isEmpty() ? "the next pull creates the table" : "new: the next pull adds the column";
        } else {
          mirrorType = have.map(t -> t.name().toLowerCase()).orElse("other");
          if (have.isPresent() && have.get() == f.type()) {
            status = "ok";
          } else {
            var refusal = log.stream().filter(m -> m.table().equals(d.tableName()) && m.column().equals(f.canonicalField()))
                .findFirst().filter(m -> m.outcome().equals("refused") && m.toType().equals(want));
            if (refusal.isPresent()) {
              status = "REFUSED: " + refusal.get().reason().orElse("");
              ok = false;
            } else {
              status = "type changed in the CRM: the next pull migrates it if every value survives";
            }
          }
        }
        out.printf("    %-28s %-28s %-10s %-10s %s%n", f.canonicalField(), f.crmField(), want, mirrorType, status);
      }
      var mine = log.stream().filter(m -> m.table().equals(d.tableName())).toList();
      if (!mine.isEmpty()) {
        out.println("    migrations, newest first:");
        for (var m : mine) {
          out.println("      " + m.seenAt() + "  " + m.column() + " " + m.fromType() + " -> " + m.toType() + "  "
              + (m.outcome().equals("applied") ? "applied (" + m.rowsChecked() + " values kept): " + m.statement().orElse("")
                  : "refused: " + m.rowsLost() + " of " + m.rowsChecked() + " values would not survive"));
        }
      }
    }
    return ok;
  }

  /** The inputs the CRM lacks, each with what salesos does without it; nothing when every input is there. */
  static void printInputs(PrintStream out, List<InputFields.Missing> missing) {
    if (missing.isEmpty()) {
      out.println("  every input field the mapping reads is in place");
      return;
    }
    out.println("  " + missing.size() + " input field(s) the mapping reads are not in the CRM (optional; `schema prepare"
        + " --inputs` creates them); without each, salesos goes on as follows:");
    for (var m : missing) {
      out.printf("  %-14s %-32s %-34s %s%n", m.crmObject(), m.crmField(), m.canonicalObject() + "." + m.canonicalField(),
          m.without());
    }
  }

  /** The needed shape in CRM-neutral words: "long text", "picklist (5 values)", "text, unique external id". */
  static String needed(FieldSpec f) {
    if (f.externalKey()) {
      return "text, unique external id";
    }
    if (!f.values().isEmpty()) {
      return "picklist (" + f.values().size() + " values)";
    }
    return switch (f.type()) {
      case STRING -> "text";
      case TEXT -> "long text";
      case ID -> "record id";
      case DECIMAL -> "number (2 decimals)";
      case PERCENT -> "percent";
      case INTEGER -> "whole number";
      case DOUBLE -> "number";
      case BOOLEAN -> "checkbox";
      case DATE -> "date";
      case DATETIME -> "date and time";
    };
  }

  /** Prints what prepare did; true when the CRM now holds every needed field in a fitting shape. */
  static boolean print(PrintStream out, String connection, FieldPreparer.Result result, boolean dryRun) {
    var missing = result.before().missing();
    if (dryRun) {
      out.println(connection + ": " + (missing.isEmpty() ? "nothing to create" : "would create " + missing.size()
          + " field(s):"));
      missing.forEach(f -> out.println("  " + f.qualifiedName() + "  " + needed(f)));
    } else if (result.unchanged()) {
      out.println(connection + ": nothing changed: every field salesos writes already exists");
    } else {
      out.println(connection + ":");
      for (var f : result.changes().fields()) {
        out.printf("  %-13s %-44s %s%s%n", word(f.outcome()), f.field().qualifiedName(), needed(f.field()),
            f.detail().isEmpty() ? "" : "  (" + f.detail() + ")");
      }
    }
    if (!result.changes().steps().isEmpty()) {
      out.println("  Next steps:");
      int i = 1;
      for (var s : result.changes().steps()) {
        out.println("   " + (i++) + ". " + s.replace("\n", "\n      "));
      }
    }
    var byHand = result.after().toFixByHand();
    if (!byHand.isEmpty()) {
      out.println("  Fix by hand in the CRM's setup (salesos never changes an existing field):");
      byHand.forEach(r -> out.println("   - " + r.field().qualifiedName() + ": " + r.status().text()
          + (r.found().isEmpty() ? "" : ", found " + r.found()) + (r.detail().isEmpty() ? "" : " (" + r.detail() + ")")));
    }
    return result.after().complete();
  }

  private static String word(FieldCreation.Outcome o) {
    return switch (o) {
      case CREATED -> "created";
      case EXISTED -> "already there";
      case PACKAGED -> "packaged";
      case NOT_PERMITTED -> "not permitted";
      case FAILED -> "FAILED";
    };
  }
}
