package io.salesos.hubspot.sandbox;

import io.salesos.demo.DemoOrg;
import java.util.Arrays;
import java.util.List;

/**
 * The object types and property definitions of the sandbox portal: HubSpot's standard properties
 * that salesos reads, and the custom properties a field-sales portal adds (coordinates, opening
 * hours, visit cadence) plus, unless the portal starts bare, the ones salesos writes (in their own
 * property group, as `salesos schema prepare` creates them).
 */
final class HubSpotSchema {

  private HubSpotSchema() {}

  /** The property group salesos's own properties live in. */
  static final String SALESOS_GROUP = "salesos";

  static void define(SandboxState state, boolean bare) {
    var companies = table(state, "companies", "0-2", "hs_lastmodifieddate",
        "name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id");
    standard(companies, "string", "name", "domain", "industry", "address", "city", "state", "zip", "phone");
    standard(companies, "number", "hubspot_owner_id");
    custom(companies, "number", "latitude", "longitude", "visit_frequency_days");
    custom(companies, "string", "opening_hours");
    companies.define(new PropertyDef("account_tier", "Account tier", "enumeration", "select", PropertyDef.FIELD_SALES,
        List.of("Strategic", "Key", "Standard"), false, false, false));

    var contacts = table(state, "contacts", "0-1", "lastmodifieddate",
        "firstname", "lastname", "email", "createdate", "lastmodifieddate", "hs_object_id");
    standard(contacts, "string", "firstname", "lastname", "jobtitle", "phone", "company", "hs_lead_status");
    contacts.define(new PropertyDef("email", "Email", "string", "text", "contactinformation", List.of(), true,
        false, true));
    standard(contacts, "number", "hubspot_owner_id");
    contacts.define(PropertyDef.enumeration("lifecyclestage", List.of("subscriber", "lead",
        "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other")));
    custom(contacts, "string", "buying_role");

    var deals = table(state, "deals", "0-3", "hs_lastmodifieddate",
        "dealname", "amount", "dealstage", "pipeline", "closedate", "createdate", "hs_lastmodifieddate",
        "hs_object_id");
    standard(deals, "string", "dealname", "pipeline", "hs_next_step");
    standard(deals, "number", "amount", "hubspot_owner_id");
    standard(deals, "datetime", "closedate");
    deals.define(PropertyDef.enumeration("dealstage",
        state.stages.isEmpty() ? stageIds() : state.stages.stream().map(SandboxState.Stage::id).toList()));
    deals.define(PropertyDef.enumeration("hs_manual_forecast_category",
        List.of("OMIT", "PIPELINE", "BEST_CASE", "COMMIT", "CLOSED")));
    readOnly(deals, "number", "hs_deal_stage_probability");
    readOnly(deals, "bool", "hs_is_closed", "hs_is_closed_won");
    // a property HubSpot defines in every portal (a stock portal has it too)
    deals.define(new PropertyDef("deal_currency_code", "Currency", "enumeration", "select", "dealinformation",
        List.of(state.companyCurrency), false, false, true));
    custom(deals, "date", "next_step_date");
    custom(deals, "string", "mutual_action_plan");
    if (!bare) {
      deals.groups.put(SALESOS_GROUP, "salesos");
      deals.define(new PropertyDef("salesos_flags", "salesos flags", "string", "textarea", SALESOS_GROUP, List.of(),
          false, false, false));
      deals.define(new PropertyDef("salesos_forecast_category", "salesos forecast category", "enumeration",
          "select", SALESOS_GROUP, List.of("OMIT", "PIPELINE", "BEST_CASE", "COMMIT", "CLOSED"), false, false, false));
    }

    var engagementDefaults = new String[] {"hs_timestamp", "createdate", "hs_lastmodifieddate", "hs_object_id"};
    var tasks = table(state, "tasks", "0-27", "hs_lastmodifieddate", engagementDefaults);
    standard(tasks, "string", "hs_task_subject", "hs_task_body");
    tasks.define(PropertyDef.enumeration("hs_task_status",
        List.of("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED")));
    tasks.define(PropertyDef.enumeration("hs_task_priority", List.of("NONE", "LOW", "MEDIUM", "HIGH")));
    tasks.define(PropertyDef.enumeration("hs_task_type", List.of("EMAIL", "CALL", "TODO")));

    var meetings = table(state, "meetings", "0-47", "hs_lastmodifieddate", engagementDefaults);
    standard(meetings, "string", "hs_meeting_title", "hs_meeting_body", "hs_meeting_location",
        "hs_activity_type");
    standard(meetings, "datetime", "hs_meeting_start_time", "hs_meeting_end_time");
    meetings.define(PropertyDef.enumeration("hs_meeting_outcome",
        List.of("SCHEDULED", "COMPLETED", "RESCHEDULED", "NO_SHOW", "CANCELED")));
    custom(meetings, "number", "checkin_latitude", "checkin_longitude");

    var calls = table(state, "calls", "0-48", "hs_lastmodifieddate", engagementDefaults);
    standard(calls, "string", "hs_call_title", "hs_call_body", "hs_call_status", "hs_call_direction");
    standard(calls, "number", "hs_call_duration");

    var notes = table(state, "notes", "0-46", "hs_lastmodifieddate", engagementDefaults);
    standard(notes, "string", "hs_note_body");

    var emails = table(state, "emails", "0-49", "hs_lastmodifieddate", engagementDefaults);
    standard(emails, "string", "hs_email_subject", "hs_email_text", "hs_email_direction", "hs_email_status");

    for (var t : List.of(tasks, meetings, calls, notes, emails)) {
      standard(t, "datetime", "hs_timestamp");
      standard(t, "number", "hubspot_owner_id");
      if (!bare) {
        // the idempotency key of records salesos creates: unique, so it can be an upsert idProperty
        t.groups.put(SALESOS_GROUP, "salesos");
        t.define(new PropertyDef("salesos_key", "salesos key", "string", "text", SALESOS_GROUP, List.of(), true,
            false, false));
      }
    }
    for (var t : List.of(companies, contacts, deals, tasks, meetings, calls, notes, emails)) {
      readOnly(t, "number", "hs_object_id");
      readOnly(t, "datetime", "createdate", t.stampProperty);
    }
  }

  private static List<String> stageIds() {
    return Arrays.stream(DemoOrg.Stage.values()).map(SandboxState::stageId).toList();
  }

  /** deal_currency_code offers the company currency and each currency the portal has a rate for. */
  static void dealCurrencies(SandboxState state) {
    var codes = new java.util.ArrayList<String>(List.of(state.companyCurrency));
    state.exchangeRates.forEach(r -> {
      if (!codes.contains(r.fromCurrencyCode())) {
        codes.add(r.fromCurrencyCode());
      }
    });
    state.tables.get("deals").define(new PropertyDef("deal_currency_code", "Currency", "enumeration", "select",
        "dealinformation", codes, false, false, true));
  }

  private static ObjectTable table(SandboxState state, String name, String typeId, String stamp,
      String... defaults) {
    var t = new ObjectTable(name, typeId, stamp, List.of(defaults));
    t.groups.put(PropertyDef.FIELD_SALES, "Field sales");
    t.journal = state.journal;
    state.tables.put(name, t);
    return t;
  }

  private static void standard(ObjectTable t, String type, String... names) {
    for (var n : names) {
      t.define(PropertyDef.standard(n, type));
    }
  }

  private static void readOnly(ObjectTable t, String type, String... names) {
    for (var n : names) {
      t.define(PropertyDef.readOnly(n, type));
    }
  }

  private static void custom(ObjectTable t, String type, String... names) {
    for (var n : names) {
      t.define(PropertyDef.custom(n, type, false));
    }
  }
}
