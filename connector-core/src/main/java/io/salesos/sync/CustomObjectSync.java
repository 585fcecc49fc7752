package io.salesos.sync;

import io.salesos.connection.CrmConnection;
import io.salesos.mapping.CustomObjectMapping;
import io.salesos.mapping.FieldBinding;
import io.salesos.mapping.ObjectMapping;
import io.salesos.mirror.CustomTables;
import io.salesos.model.FieldType;
import io.salesos.spi.ConnectorException;
import io.salesos.spi.CrmSchema;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the custom objects of a connection's mapping into pullable objects: reads the CRM's
 * describe, types each mapped field from it, brings the object's mirror table in step (new
 * columns, migrated types, refused lossy changes) and records its relation for the rules. An
 * object that cannot be mirrored as described (absent from the CRM, a field gone, a refused type
 * change) is left out of the pulls with its reason, and the rest go on.
 */
public final class CustomObjectSync {

  private static final Logger log = LoggerFactory.getLogger(CustomObjectSync.class);

  /** How often the describe is read again to catch type changes (a Salesforce describe costs API calls). */
  public static final Duration DESCRIBE_EVERY = Duration.ofMinutes(15);

  /** The custom objects of one connection as last described: those to pull, and those left out with why. */
  public record Resolved(Instant describedAt, List<ObjectMapping> pullable, Map<String, String> problems) {}

  private final CustomTables tables;
  private final Clock clock;
  private final Map<String, Resolved> byConnection = new ConcurrentHashMap<>();

  public CustomObjectSync(CustomTables tables, Clock clock) {
    this.tables = tables;
    this.clock = clock;
  }

  /**
   * Describes the custom objects of every connection that maps some (bringing their tables in
   * step) and answers the relations the mirror then holds for those connections, which the rules'
   * vocabulary types {@code account.site_visits} by. A CRM that cannot be described now leaves the
   * relations as last mirrored.
   */
  public static List<CustomTables.StoredRelation> describeAll(io.salesos.mirror.Database database, List<CrmConnection> connections,
      Clock clock) {
    var tables = new CustomTables(database, clock);
    var sync = new CustomObjectSync(tables, clock);
    var names = new java.util.HashSet<String>();
    for (var c : connections) {
      names.add(c.name());
      if (!c.mapping().customObjects().isEmpty()) {
        sync.refresh(c);
      }
    }
    return tables.relations(Optional.empty()).stream().filter(r -> names.contains(r.source())).toList();
  }

  /** The connection's custom objects, described again when the last describe is older than {@link #DESCRIBE_EVERY}. */
  public Resolved current(CrmConnection connection) {
    var last = byConnection.get(connection.name());
    if (last != null && last.describedAt().plus(DESCRIBE_EVERY).isAfter(clock.instant())) {
      return last;
    }
    return refresh(connection);
  }

  /** Reads the CRM's describe now and brings every custom object's table in step with it. */
  public Resolved refresh(CrmConnection connection) {
    var declared = connection.mapping().customObjects();
    if (declared.isEmpty()) {
      return new Resolved(clock.instant(), List.of(), Map.of());
    }
    CrmSchema schema;
    try {
      schema = connection.connector().describe();
    } catch (ConnectorException e) {
      var last = byConnection.get(connection.name());
      log.warn("event=custom_describe_failed source={} reason=\"{}\"", connection.name(), e.getMessage());
      if (last != null) {
        // the objects as last described go on being pulled; the describe is tried again next time
        return last;
      }
      var problems = new LinkedHashMap<String, String>();
      declared.forEach(d -> problems.put(d.crmObject(), "the CRM could not be described: " + e.getMessage()));
      return new Resolved(Instant.MIN, List.of(), problems);
    }
    var pullable = new ArrayList<ObjectMapping>();
    var problems = new LinkedHashMap<String, String>();
    for (var d : declared) {
      try {
        var resolved = resolve(connection, d, schema);
        tables.ensure(connection.name(), d.crmObject(), d.tableName(), resolved.canonicalTypes(),
            d.relation().map(CustomObjectMapping.Relation::key), d.origin());
        d.relation().ifPresent(r -> tables.declareRelation(connection.name(), r.parent(), r.name(), d.tableName(), r.key(),
            d.crmObject(), d.origin()));
        pullable.add(resolved);
      } catch (IllegalArgumentException | IllegalStateException e) {
        problems.put(d.crmObject(), e.getMessage());
        log.warn("event=custom_object_left_out source={} object={} reason=\"{}\"", connection.name(), d.crmObject(), e.getMessage());
      }
    }
    var declaredRelations = new java.util.HashSet<String>();
    declared.forEach(d -> d.relation().ifPresent(r -> declaredRelations.add(r.parent() + "." + r.name())));
    tables.keepOnlyRelations(connection.name(), declaredRelations);
    var out = new Resolved(clock.instant(), pullable, problems);
    byConnection.put(connection.name(), out);
    return out;
  }

  /**
   * The object mapping of one custom object from the CRM's describe (its columns and their types
   * in {@link ObjectMapping#canonicalTypes()}), changing nothing; IllegalArgumentException says
   * why it cannot be mirrored as described: each mapped field (or every
   * described field the connector can type) as a read-only column of its described type.
   */
  public static ObjectMapping resolve(CrmConnection connection, CustomObjectMapping d, CrmSchema schema) {
    var object = schema.object(d.crmObject()).orElseThrow(() -> new IllegalArgumentException(d.origin() + ": "
        + connection.name() + " has no object " + d.crmObject() + " (the CRM's describe lists "
        + schema.objects().stream().map(CrmSchema.CrmObject::name).filter(n -> n.endsWith("__c") || !n.contains("_")).limit(30).toList()
        + ")"));
    var columns = new LinkedHashMap<String, String>();
    if (d.allFields()) {
      for (var f : object.fields()) {
        var column = CustomObjectMapping.columnFor(f.name());
        if (column.isEmpty() || columns.containsValue(column.get()) || reserved(column.get())) {
          continue;
        }
        if (connection.connector().canonicalType(f).isPresent()) {
          columns.put(f.name(), column.get());
        }
      }
    } else {
      columns.putAll(d.fields());
    }
    var bindings = new ArrayList<FieldBinding>();
    for (var e : columns.entrySet()) {
      var field = object.field(e.getKey()).orElseThrow(() -> new IllegalArgumentException(d.origin() + ": " + d.crmObject()
          + " has no field " + e.getKey() + " in the CRM's describe; remove it from the mapping or create it in the CRM"));
      FieldType type = connection.connector().canonicalType(field).orElseThrow(() -> new IllegalArgumentException(d.origin()
          + ": " + d.crmObject() + "." + field.name() + " is of type '" + field.type() + "', which salesos cannot mirror;"
          + " remove it from the mapping"));
      bindings.add(new FieldBinding(field.name(), e.getValue(), type, List.of(), Map.of(), Optional.empty(), true, Optional.empty()));
    }
    if (d.relation().isPresent() && !columns.containsValue(d.relation().get().key())) {
      throw new IllegalArgumentException(d.origin() + ": the relation key '" + d.relation().get().key() + "' is not a column of "
          + d.tableName() + " " + columns.values());
    }
    return new ObjectMapping(d.crmObject(), d.tableName(), bindings, Map.of(), Map.of());
  }

  private static boolean reserved(String column) {
    return io.salesos.model.CanonicalSchema.SYSTEM_COLUMNS.contains(column) || column.equals("deleted_at");
  }
}
