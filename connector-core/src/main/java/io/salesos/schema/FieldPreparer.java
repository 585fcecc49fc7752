package io.salesos.schema;

import io.salesos.spi.Connector;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.FieldCreation;
import io.salesos.spi.FieldPreparation;
import io.salesos.spi.FieldSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes one connection's CRM hold the fields salesos writes: checks them, creates the missing
 * ones through the connector, and where the CRM does not let this user change its schema writes a
 * package a person deploys instead; then checks again. Fields that exist in the wrong shape are
 * never changed (that could lose data): they are reported for a person to fix.
 */
public final class FieldPreparer {

  /**
   * How to prepare: {@code dryRun} changes nothing; {@code packageDir} set writes the package
   * there instead of calling the CRM; {@code fallbackDir} is where the package goes when the CRM
   * refuses the calls for lack of permission.
   */
  public record Options(boolean dryRun, Optional<Path> packageDir, Path fallbackDir) {
    public Options {
      Objects.requireNonNull(packageDir, "packageDir");
      Objects.requireNonNull(fallbackDir, "fallbackDir");
    }
  }

  /** What preparing did: the check before, what was created or packaged, and the check after. */
  public record Result(SchemaCheck before, FieldPreparation changes, SchemaCheck after) {
    public Result {
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(changes, "changes");
      Objects.requireNonNull(after, "after");
    }

    /** True when nothing needed creating. */
    public boolean unchanged() {
      return changes.fields().isEmpty();
    }
  }

  private final String connection;
  private final Connector connector;
  private final List<FieldSpec> needed;

  public FieldPreparer(String connection, Connector connector, List<FieldSpec> needed) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.connector = Objects.requireNonNull(connector, "connector");
    this.needed = List.copyOf(needed);
  }

  public SchemaCheck check() throws ConnectorException {
    return SchemaCheck.of(connection, needed, connector.describe(), connector);
  }

  public Result prepare(Options options) throws ConnectorException {
    var before = check();
    var missing = before.missing();
    if (missing.isEmpty() || options.dryRun()) {
      return new Result(before, new FieldPreparation(List.of(), List.of()), before);
    }
    FieldPreparation changes;
    if (options.packageDir().isPresent()) {
      try {
        changes = connector.writeFieldPackage(missing, options.packageDir().get());
      } catch (ConnectorException e) {
        if (e.kind() != ConnectorException.Kind.PERMANENT) {
          throw e;
        }
        // a CRM without a package format: nothing written, nothing changed, and why
        changes = new FieldPreparation(missing.stream().map(f -> new FieldCreation(f, FieldCreation.Outcome.FAILED,
            "not packaged")).toList(), List.of(e.getMessage()));
      }
    } else {
      changes = connector.createFields(missing);
      var refused = changes.fields().stream().filter(f -> f.outcome() == FieldCreation.Outcome.NOT_PERMITTED)
          .map(FieldCreation::field).toList();
      if (!refused.isEmpty()) {
        changes = withPackage(changes, refused, options.fallbackDir());
      }
    }
    return new Result(before, changes, check());
  }

  /** The refused fields written as a package instead, when the connector knows a package format. */
  private FieldPreparation withPackage(FieldPreparation changes, List<FieldSpec> refused, Path dir)
      throws ConnectorException {
    FieldPreparation packaged;
    try {
      packaged = connector.writeFieldPackage(refused, dir);
    } catch (ConnectorException e) {
      if (e.kind() != ConnectorException.Kind.PERMANENT) {
        throw e;
      }
      // no package format: the connector's own steps say what a person does instead
      return changes;
    }
    var fields = new ArrayList<FieldCreation>();
    for (var f : changes.fields()) {
      var p = packaged.fields().stream().filter(x -> x.field().equals(f.field())).findFirst();
      fields.add(f.outcome() == FieldCreation.Outcome.NOT_PERMITTED && p.isPresent()
          ? new FieldCreation(f.field(), p.get().outcome(), f.detail() + "; " + p.get().detail()) : f);
    }
    return new FieldPreparation(fields, append(changes.steps(), packaged.steps()));
  }

  private static List<String> append(List<String> a, List<String> b) {
    var out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
