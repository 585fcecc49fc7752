package io.salesos.hubspot.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrg.Activity;
import io.salesos.demo.DemoOrg.ActivityStatus;
import io.salesos.demo.DemoOrg.ForecastCategory;
import io.salesos.hubspot.sandbox.SandboxState.AssocType;
import io.salesos.hubspot.sandbox.StoredObject.HistoryEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Translates the canonical demo org into HubSpot shapes: users become owners, accounts companies
 * (with custom location, hours, tier and cadence properties), contacts keep their lifecycle stage,
 * deals sit in a pipeline whose stages match the demo's and carry stage history, and activities
 * become tasks, meetings, calls, emails and notes associated with their company, deal and contact.
 */
final class DemoSeeder {

  private static final String[] STAGE_CYCLE = {"prospecting", "qualification", "discovery", "proposal",
    "negotiation", "verbalcommit", "closedwon", "closedlost"};

  private final SandboxState state;
  private final Map<String, Long> ids = new HashMap<>();

  DemoSeeder(SandboxState state) {
    this.state = state;
  }

  Map<String, String> seed(DemoOrg org) {
    // the portal keeps the head office's zone (the VP's); HubSpot keeps no zone per owner
    org.users().stream().findFirst().ifPresent(u -> state.portalTimeZone = u.timeZone().getId());
    long ownerSeq = 70_000_000L + state.owners.size();
    for (var u : org.users()) {
      long id = ++ownerSeq;
      state.owners.add(new SandboxState.Owner(id, u.email(), u.firstName(), u.lastName(), 9_000_000L + id % 1_000_000,
          false, org.asOf().minus(Duration.ofDays(400)), org.asOf().minus(Duration.ofDays(30))));
      ids.put(u.id(), id);
    }
    var companies = state.tables.get("companies");
    for (var a : org.accounts()) {
      var p = props(
          "name", a.name(),
          "domain", a.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "") + ".example",
          "industry", a.industry(), "address", a.street(), "city", a.city(), "state", a.state(),
          "hubspot_owner_id", owner(a.ownerId()),
          "latitude", Double.toString(a.lat()), "longitude", Double.toString(a.lng()),
          "opening_hours", a.openingHours(), "account_tier", a.tier(),
          "visit_frequency_days", Integer.toString(a.visitEveryDays()));
      put(companies, a.id(), p, a.createdAt(), a.createdAt(), Map.of());
    }
    var contacts = state.tables.get("contacts");
    for (var c : org.contacts()) {
      var p = props(
          "firstname", c.firstName(), "lastname", c.lastName(), "email", c.email(), "jobtitle", c.title(),
          "lifecyclestage", c.lifecycle(), "hubspot_owner_id", owner(c.ownerId()),
          "buying_role", c.buyingRole().orElse(null));
      long id = put(contacts, c.id(), p, c.createdAt(), c.createdAt(), Map.of());
      ref(c.accountId()).ifPresent(company -> state.associate("contacts", id, "companies", company,
          List.of(new AssocType("HUBSPOT_DEFINED", 1, "Primary"))));
    }
    var deals = state.tables.get("deals");
    // a portal with EUR among its currencies (the stock seed): the European team's deals are in euros
    var european = state.exchangeRates.stream().anyMatch(r -> r.fromCurrencyCode().equals("EUR")) ? org.euroSellers()
        : java.util.Set.<String>of();
    int dealIndex = 0;
    for (var d : org.deals()) {
      int index = dealIndex++;
      var place = state.stock ? SandboxState.stockPlacement(index, d.stage())
          : Map.entry(SandboxState.PIPELINE_ID, SandboxState.stageId(d.stage()));
      var p = props(
          "dealname", d.name(), "amount", d.amount().toPlainString(), "dealstage", place.getValue(),
          "pipeline", place.getKey(), "closedate", date(d.closeDate()),
          "hubspot_owner_id", owner(d.ownerId()), "hs_manual_forecast_category", forecast(d.forecastCategory()),
          "hs_next_step", d.nextStep().orElse(null), "next_step_date", d.nextStepDate().map(LocalDate::toString).orElse(null),
          "mutual_action_plan", d.mutualActionPlan().orElse(null));
      if (european.contains(d.ownerId())) {
        p.put("deal_currency_code", "EUR");
      }
      state.deriveDeal(p);
      var history = new HashMap<String, List<HistoryEntry>>();
      for (var change : d.stageHistory()) {
        record(history, "dealstage", state.stock ? SandboxState.stockPlacement(index, change.stage()).getValue()
            : SandboxState.stageId(change.stage()), change.at());
        record(history, "amount", change.amount().toPlainString(), change.at());
        record(history, "closedate", date(change.closeDate()), change.at());
        record(history, "hs_manual_forecast_category", forecast(change.forecastCategory()), change.at());
      }
      long id = put(deals, d.id(), p, d.createdAt(), latest(d.stageEnteredAt(), org.asOf()), history);
      ref(d.accountId()).ifPresent(company -> state.associate("deals", id, "companies", company,
          List.of(new AssocType("HUBSPOT_DEFINED", 5, "Primary"))));
      for (var role : d.contactRoles()) {
        var labels = new ArrayList<AssocType>();
        labels.add(new AssocType("USER_DEFINED", state.labelTypeId(role.role()), role.role()));
        if (role.primary()) {
          labels.add(new AssocType("USER_DEFINED", state.labelTypeId("Primary contact"), "Primary contact"));
        }
        ref(role.contactId()).ifPresent(contact -> state.associate("deals", id, "contacts", contact, labels));
      }
    }
    for (var a : org.activities()) {
      seedActivity(a, org.asOf());
    }
    var out = new LinkedHashMap<String, String>();
    ids.forEach((k, v) -> out.put(k, Long.toString(v)));
    return out;
  }

  private void seedActivity(Activity a, Instant asOf) {
    var start = PropertyDef.iso(a.startAt());
    var owner = owner(a.ownerId());
    String type;
    Map<String, String> p;
    switch (a.kind()) {
      case VISIT, MEETING -> {
        type = "meetings";
        p = props("hs_meeting_title", a.subject(), "hs_timestamp", start, "hs_meeting_start_time", start,
            "hs_meeting_end_time", PropertyDef.iso(a.endAt()),
            "hs_activity_type", a.kind() == DemoOrg.ActivityKind.VISIT ? "Site visit" : "Meeting",
            "hs_meeting_outcome", switch (a.status()) {
              case PLANNED -> "SCHEDULED";
              case COMPLETED -> "COMPLETED";
              case CANCELLED -> "CANCELED";
            },
            "checkin_latitude", a.checkInLat().map(String::valueOf).orElse(null),
            "checkin_longitude", a.checkInLng().map(String::valueOf).orElse(null),
            "hubspot_owner_id", owner);
      }
      case CALL -> {
        type = "calls";
        p = props("hs_call_title", a.subject(), "hs_timestamp", start, "hs_call_status",
            a.status() == ActivityStatus.COMPLETED ? "COMPLETED" : "SCHEDULED", "hs_call_direction", "OUTBOUND",
            "hs_call_duration", Long.toString(Duration.between(a.startAt(), a.endAt()).toMillis()),
            "hubspot_owner_id", owner);
      }
      case EMAIL -> {
        type = "emails";
        p = props("hs_email_subject", a.subject(), "hs_timestamp", start, "hs_email_direction", "EMAIL",
            "hs_email_status", "SENT", "hubspot_owner_id", owner);
      }
      case TASK -> {
        type = "tasks";
        p = props("hs_task_subject", a.subject(), "hs_timestamp", start, "hs_task_type", "TODO",
            "hs_task_status", a.status() == ActivityStatus.COMPLETED ? "COMPLETED" : "NOT_STARTED",
            "hs_task_priority", "MEDIUM", "hubspot_owner_id", owner);
      }
      default -> {
        type = "notes";
        p = props("hs_note_body", a.subject(), "hs_timestamp", start, "hubspot_owner_id", owner);
      }
    }
    var created = a.startAt().isAfter(asOf) ? asOf.minus(Duration.ofDays(2)) : a.startAt();
    long id = put(state.tables.get(type), a.id(), p, created, latest(a.endAt(), asOf), Map.of());
    a.accountId().flatMap(this::ref).ifPresent(c -> state.associate(type, id, "companies", c, List.of()));
    a.dealId().flatMap(this::ref).ifPresent(d -> state.associate(type, id, "deals", d, List.of()));
    a.contactId().flatMap(this::ref).ifPresent(c -> state.associate(type, id, "contacts", c, List.of()));
  }

  List<String> fillDeals(int count, Instant firstStamp, Duration step) {
    var deals = state.tables.get("deals");
    var owner = state.owners.isEmpty() ? null : Long.toString(state.owners.get(0).id());
    var out = new ArrayList<String>(count);
    var stamp = firstStamp.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    for (int i = 0; i < count; i++) {
      long id = state.nextId();
      var p = new LinkedHashMap<String, String>(16);
      p.put("dealname", "Bulk deal " + id);
      p.put("amount", Integer.toString(1_000 + (int) (id % 97) * 100));
      p.put("dealstage", STAGE_CYCLE[(int) (id % STAGE_CYCLE.length)]);
      p.put("pipeline", SandboxState.PIPELINE_ID);
      p.put("closedate", PropertyDef.iso(stamp.plus(Duration.ofDays(30 + id % 90)).truncatedTo(java.time.temporal.ChronoUnit.DAYS)));
      if (owner != null) {
        p.put("hubspot_owner_id", owner);
      }
      state.deriveDeal(p);
      var iso = PropertyDef.iso(stamp);
      p.put("hs_object_id", Long.toString(id));
      p.put("createdate", iso);
      p.put("hs_lastmodifieddate", iso);
      deals.seed(new StoredObject(id, p, stamp, stamp, false, Optional.empty(),
          Map.of("dealstage", List.of(new HistoryEntry(p.get("dealstage"), stamp, "CRM_UI")))));
      out.add(Long.toString(id));
      stamp = stamp.plus(step);
    }
    return out;
  }

  private long put(ObjectTable table, String demoId, Map<String, String> p, Instant created, Instant modified,
      Map<String, List<HistoryEntry>> history) {
    long id = state.nextId();
    ids.put(demoId, id);
    var createdMs = created.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    var modifiedMs = modified.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    var props = new LinkedHashMap<String, String>();
    p.forEach((k, v) -> {
      var def = table.definitions.get(k);
      // a stock portal lacks the custom input properties: their values are not seeded
      if (def != null || !state.stock) {
        props.put(k, def == null ? v : def.normalize(v));
      }
    });
    props.put("hs_object_id", Long.toString(id));
    props.put("createdate", PropertyDef.iso(createdMs));
    props.put(table.stampProperty, PropertyDef.iso(modifiedMs));
    table.seed(new StoredObject(id, props, createdMs, modifiedMs, false, Optional.empty(), history));
    return id;
  }

  private static void record(Map<String, List<HistoryEntry>> history, String prop, String value, Instant at) {
    var list = new ArrayList<HistoryEntry>();
    list.add(new HistoryEntry(value, at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS), "CRM_UI"));
    list.addAll(history.getOrDefault(prop, List.of()));
    history.put(prop, List.copyOf(list));
  }

  private Optional<Long> ref(String demoId) {
    return Optional.ofNullable(ids.get(demoId));
  }

  private String owner(String demoUserId) {
    var id = ids.get(demoUserId);
    return id == null ? null : Long.toString(id);
  }

  private static Instant latest(Instant t, Instant asOf) {
    return t.isAfter(asOf) ? asOf : t;
  }

  private static String date(LocalDate d) {
    return PropertyDef.iso(d.atStartOfDay().toInstant(ZoneOffset.UTC));
  }

  static String forecast(ForecastCategory c) {
    return switch (c) {
      case OMITTED -> "OMIT";
      case PIPELINE -> "PIPELINE";
      case BEST_CASE -> "BEST_CASE";
      case COMMIT -> "COMMIT";
      case CLOSED -> "CLOSED";
    };
  }

  /** Property pairs to a map, leaving out absent values (HubSpot has no value, not an empty one). */
  private static Map<String, String> props(String... pairs) {
    var m = new LinkedHashMap<String, String>();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        m.put(pairs[i], pairs[i + 1]);
      }
    }
    return m;
  }
}
