package io.salesos.mirror;

import io.salesos.model.FieldType;
import java.sql.SQLException;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Read-write mode, as Heroku Connect offers it: a person or tool that edits a mirror row directly
 * (an UPDATE from any connection that is not salesos's own) queues that edit in the outbox, to be
 * written to the CRM under the same allow-list and conflict rules as rule-made writes. salesos's
 * own connections set {@code @salesos_sync}, so the sync's updates never echo back as edits.
 */
public final class LocalEditTriggers {

  private LocalEditTriggers() {}

  /** (Re)creates the trigger of one mirror table over its mapped {@code columns}. */
  public static void install(Database database, String canonicalObject, Map<String, FieldType> columns) {
    var table = SqlName.of(canonicalObject);
    var trigger = SqlName.of(canonicalObject + "_local_edit");
    var changed = new StringJoiner(", ");
    var before = new StringJoiner(", ");
    for (var e : columns.entrySet()) {
      var col = SqlName.of(e.getKey());
      changed.add("IF(NOT (OLD." + col.quoted() + " <=> NEW." + col.quoted() + "), JSON_OBJECT('" + col.name() + "', "
          + json("NEW." + col.quoted(), e.getValue()) + "), '{}')");
      before.add("IF(NOT (OLD." + col.quoted() + " <=> NEW." + col.quoted() + "), JSON_OBJECT('" + col.name() + "', "
          + json("OLD." + col.quoted(), e.getValue()) + "), '{}')");
    }
    if (columns.isEmpty()) {
      return;
    }
    var body = "CREATE TRIGGER " + trigger.quoted() + " AFTER UPDATE ON " + table.quoted() + " FOR EACH ROW\n"
        + "BEGIN\n"
        + "  DECLARE changed LONGTEXT;\n"
        + "  IF @salesos_sync IS NULL AND NEW.`deleted` = FALSE THEN\n"
        + "    SET changed = JSON_MERGE_PATCH('{}', " + changed + ");\n"
        + "    IF JSON_LENGTH(changed) > 0 THEN\n"
        + "      INSERT INTO outbox (idem_key, source, crm_object, canonical_object, record_id, op, write_kind, fields,"
        + " expected, status, attempts, next_attempt_at, actor, created_at, updated_at)\n"
        + "      VALUES (CONCAT('edit:', UUID()), NEW.`source`, NEW.`crm_object`, '" + table.name() + "', NEW.`id`, 'UPDATE',"
        + " 'local_edit', changed, JSON_MERGE_PATCH('{}', " + before + "), 'pending', 0, UTC_TIMESTAMP(3),"
        + " LEFT(CONCAT('db:', CURRENT_USER()), 128), UTC_TIMESTAMP(3), UTC_TIMESTAMP(3));\n"
        + "    END IF;\n"
        + "  END IF;\n"
        + "END";
    try (var c = database.connection(); var st = c.createStatement()) {
      st.execute("DROP TRIGGER IF EXISTS " + trigger.quoted());
      st.execute(body);
    } catch (SQLException e) {
      throw new IllegalStateException("could not install the local-edit trigger on " + table + ": " + e.getMessage(), e);
    }
  }

  /** The column as the JSON value salesos's canonical form uses (ISO UTC timestamps, plain decimals). */
  private static String json(String expr, FieldType type) {
    return switch (type) {
      case DATETIME -> "DATE_FORMAT(" + expr + ", '%Y-%m-%dT%H:%i:%s.%fZ')";
      case DATE -> "DATE_FORMAT(" + expr + ", '%Y-%m-%d')";
      case DECIMAL, PERCENT -> "CAST(" + expr + " AS CHAR)";
      case BOOLEAN -> "IF(" + expr + " IS NULL, NULL, IF(" + expr + ", TRUE, FALSE))";
      default -> expr;
    };
  }
}
