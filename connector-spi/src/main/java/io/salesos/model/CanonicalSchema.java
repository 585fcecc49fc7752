package io.salesos.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The CRM-agnostic objects salesos mirrors and reasons about, with their standard fields and
 * types. A mapping file binds CRM fields to these names; it may add custom fields with a declared
 * type. Rules see these names, so one rule file works for Salesforce and HubSpot alike.
 */
public final class CanonicalSchema {

  /** Canonical object names. */
  public static final String OWNER = "owner";
  public static final String ACCOUNT = "account";
  public static final String CONTACT = "contact";
  public static final String DEAL = "deal";
  public static final String DEAL_CONTACT = "deal_contact";
  public static final String STAGE_HISTORY = "stage_history";
  public static final String ACTIVITY = "activity";

  private static final Map<String, Map<String, FieldType>> STANDARD = new LinkedHashMap<>();

  static {
    STANDARD.put(OWNER, fields(
        "name", FieldType.STRING, "first_name", FieldType.STRING, "last_name", FieldType.STRING,
        "email", FieldType.STRING, "title", FieldType.STRING, "role", FieldType.STRING, "manager_id", FieldType.ID, "region", FieldType.STRING,
        "base_lat", FieldType.DOUBLE, "base_lng", FieldType.DOUBLE, "urban", FieldType.BOOLEAN,
        "active", FieldType.BOOLEAN, "time_zone", FieldType.STRING));
    STANDARD.put(ACCOUNT, fields(
        "name", FieldType.STRING, "owner_id", FieldType.ID, "industry", FieldType.STRING,
        "street", FieldType.STRING, "city", FieldType.STRING, "state", FieldType.STRING,
        "lat", FieldType.DOUBLE, "lng", FieldType.DOUBLE, "opening_hours", FieldType.STRING,
        "tier", FieldType.STRING, "visit_every_days", FieldType.INTEGER, "created_at", FieldType.DATETIME));
    STANDARD.put(CONTACT, fields(
        "account_id", FieldType.ID, "owner_id", FieldType.ID, "first_name", FieldType.STRING,
        "last_name", FieldType.STRING, "email", FieldType.STRING, "title", FieldType.STRING,
        "buying_role", FieldType.STRING, "lifecycle", FieldType.STRING, "lead_status", FieldType.STRING,
        "company", FieldType.STRING, "created_at", FieldType.DATETIME));
    STANDARD.put(DEAL, fields(
        "name", FieldType.STRING, "account_id", FieldType.ID, "owner_id", FieldType.ID,
        "stage", FieldType.STRING, "pipeline", FieldType.STRING, "amount", FieldType.DECIMAL, "close_date", FieldType.DATE,
        // amount as the CRM gives it and its currency; amount is then converted by salesos to the
        // org's corporate currency with the CRM's own rates (empty when the currency has no rate)
        "amount_original", FieldType.DECIMAL, "currency", FieldType.STRING,
        "probability", FieldType.PERCENT, "forecast_category", FieldType.STRING,
        "next_step", FieldType.STRING, "next_step_date", FieldType.DATE,
        "mutual_action_plan", FieldType.STRING, "is_closed", FieldType.BOOLEAN, "is_won", FieldType.BOOLEAN,
        "stage_entered_at", FieldType.DATETIME, "created_at", FieldType.DATETIME,
        // written by salesos
        "salesos_flags", FieldType.TEXT, "salesos_forecast_category", FieldType.STRING));
    STANDARD.put(DEAL_CONTACT, fields(
        "deal_id", FieldType.ID, "contact_id", FieldType.ID, "role", FieldType.STRING,
        "is_primary", FieldType.BOOLEAN));
    STANDARD.put(STAGE_HISTORY, fields(
        "deal_id", FieldType.ID, "stage", FieldType.STRING, "amount", FieldType.DECIMAL,
        "close_date", FieldType.DATE, "forecast_category", FieldType.STRING, "changed_at", FieldType.DATETIME));
    STANDARD.put(ACTIVITY, fields(
        "kind", FieldType.STRING, "subject", FieldType.STRING, "body", FieldType.TEXT,
        "owner_id", FieldType.ID, "account_id", FieldType.ID, "deal_id", FieldType.ID,
        "contact_id", FieldType.ID, "start_at", FieldType.DATETIME, "end_at", FieldType.DATETIME,
        // a task's due day, and the instant it is due where the CRM keeps one (HubSpot hs_timestamp;
        // Salesforce's Task.ActivityDate is a date only)
        "due_date", FieldType.DATE, "due_at", FieldType.DATETIME, "status", FieldType.STRING, "priority", FieldType.STRING,
        "check_in_lat", FieldType.DOUBLE, "check_in_lng", FieldType.DOUBLE,
        "created_at", FieldType.DATETIME,
        // the idempotency key of records salesos creates (an external id field in the CRM)
        "salesos_key", FieldType.STRING));
  }

  private CanonicalSchema() {}

  /** The canonical objects, in dependency order (owners before accounts before deals...). */
  public static List<String> objects() {
    return List.copyOf(STANDARD.keySet());
  }

  public static boolean isObject(String name) {
    return STANDARD.containsKey(name);
  }

  /** The standard fields of a canonical object and their types, in declaration order. */
  public static Map<String, FieldType> standardFields(String object) {
    var f = STANDARD.get(object);
    if (f == null) {
      throw new IllegalArgumentException("unknown canonical object '" + object + "'; known: " + STANDARD.keySet());
    }
    return f;
  }

  public static Optional<FieldType> standardType(String object, String field) {
    return Optional.ofNullable(STANDARD.getOrDefault(object, Map.of()).get(field));
  }

  /**
   * SQL for when an activity happened, over the activity table (optionally aliased): its start,
   * or when it was logged where the CRM keeps no start (a Salesforce Task, a logged call or email,
   * has only a due date and a created date). The status page and the audits time activities alike.
   */
  public static String activityAtSql(String alias) {
    var p = alias.isEmpty() ? "" : alias + ".";
    return "COALESCE(" + p + "start_at, " + p + "created_at)";
  }

  /** Columns every mirror table carries besides its mapped fields. */
  public static final Set<String> SYSTEM_COLUMNS =
      Set.of("source", "crm_object", "id", "crm_modified_at", "deleted", "synced_at", "row_hash");

  private static Map<String, FieldType> fields(Object... pairs) {
    var m = new LinkedHashMap<String, FieldType>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (FieldType) pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
