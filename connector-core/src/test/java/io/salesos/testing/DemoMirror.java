package io.salesos.testing;

import io.salesos.demo.DemoOrg;
import io.salesos.mirror.Database;
import io.salesos.mirror.MirrorRecord;
import io.salesos.mirror.MirrorStore;
import io.salesos.model.CanonicalSchema;
import io.salesos.spi.Checkpoint;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a {@link DemoOrg} into a mirror as a first pull of a CRM seeded with it would: every record
 * in the canonical tables under the demo's own ids, stamped with the CRM modification time the
 * sandboxes give it (created, last stage change, activity start), the deals' stage history as the
 * stage_history table (Salesforce OpportunityHistory), and one record_history version per record.
 * Leads are contacts with lifecycle "lead" and their account's name as company.
 */
public final class DemoMirror {

  private DemoMirror() {}

  public static void load(Database database, DemoOrg org, String source) {
    var asOf = org.asOf();
    var store = new MirrorStore(database, Clock.fixed(asOf, ZoneOffset.UTC));
    var owners = new ArrayList<MirrorRecord>();
    for (var u : org.users()) {
      owners.add(record(u.id(), asOf.minus(Duration.ofDays(400)), "name", u.name(), "first_name", u.firstName(),
          "last_name", u.lastName(), "email", u.email(), "title", u.title(), "role", u.role().name().toLowerCase(),
          "manager_id", u.managerId().orElse(null), "region", u.region(), "base_lat", u.baseLat(), "base_lng", u.baseLng(),
          "urban", u.urban(), "active", true, "time_zone", u.timeZone().getId()));
    }
    var accounts = new ArrayList<MirrorRecord>();
    var accountNames = new HashMap<String, String>();
    for (var a : org.accounts()) {
      accountNames.put(a.id(), a.name());
      accounts.add(record(a.id(), a.createdAt(), "name", a.name(), "owner_id", a.ownerId(), "industry", a.industry(),
          "street", a.street(), "city", a.city(), "state", a.state(), "lat", a.lat(), "lng", a.lng(),
          "opening_hours", a.openingHours(), "tier", a.tier(), "visit_every_days", (long) a.visitEveryDays(),
          "created_at", a.createdAt()));
    }
    var contacts = new ArrayList<MirrorRecord>();
    for (var c : org.contacts()) {
      boolean lead = c.lifecycle().equals("lead");
      contacts.add(record(c.id(), c.createdAt(), "account_id", c.accountId(), "owner_id", c.ownerId(),
          "first_name", c.firstName(), "last_name", c.lastName(), "email", c.email(), "title", c.title(),
          "buying_role", c.buyingRole().orElse(null), "lifecycle", c.lifecycle(),
          "lead_status", lead ? "Open - Not Contacted" : null, "company", lead ? accountNames.get(c.accountId()) : null,
          "created_at", c.createdAt()));
    }
    var deals = new ArrayList<MirrorRecord>();
    var roles = new ArrayList<MirrorRecord>();
    var history = new ArrayList<MirrorRecord>();
    for (var d : org.deals()) {
      var stamp = min(d.stageEnteredAt(), asOf);
      deals.add(record(d.id(), stamp, "name", d.name(), "account_id", d.accountId(), "owner_id", d.ownerId(),
          "stage", d.stage().label(), "amount", d.amount(), "close_date", d.closeDate(),
          "probability", BigDecimal.valueOf(d.stage().probability()), "forecast_category", d.forecastCategory().label(),
          "next_step", d.nextStep().orElse(null), "next_step_date", d.nextStepDate().orElse(null),
          "mutual_action_plan", d.mutualActionPlan().orElse(null), "is_closed", d.stage().closed(),
          "is_won", d.stage().won(), "stage_entered_at", stamp, "created_at", d.createdAt()));
      for (var r : d.contactRoles()) {
        roles.add(record(d.id() + "-" + r.contactId(), d.createdAt(), "deal_id", d.id(), "contact_id", r.contactId(),
            "role", r.role(), "is_primary", r.primary()));
      }
      for (int i = 0; i < d.stageHistory().size(); i++) {
        var h = d.stageHistory().get(i);
        var at = min(h.at(), asOf);
        history.add(record(d.id() + "-" + i, at, "deal_id", d.id(), "stage", h.stage().label(), "amount", h.amount(),
            "close_date", h.closeDate(), "forecast_category", h.forecastCategory().label(), "changed_at", at));
      }
    }
    var activities = new ArrayList<MirrorRecord>();
    for (var a : org.activities()) {
      activities.add(record(a.id(), min(a.startAt(), asOf), "kind", a.kind().name().toLowerCase(), "subject", a.subject(),
          "owner_id", a.ownerId(), "account_id", a.accountId().orElse(null), "deal_id", a.dealId().orElse(null),
          "contact_id", a.contactId().orElse(null), "start_at", a.startAt(), "end_at", a.endAt(),
          "status", a.status().name().toLowerCase(), "check_in_lat", a.checkInLat().orElse(null),
          "check_in_lng", a.checkInLng().orElse(null), "created_at", min(a.startAt(), asOf)));
    }
    apply(store, source, CanonicalSchema.OWNER, owners);
    apply(store, source, CanonicalSchema.ACCOUNT, accounts);
    apply(store, source, CanonicalSchema.CONTACT, contacts);
    apply(store, source, CanonicalSchema.DEAL, deals);
    apply(store, source, CanonicalSchema.DEAL_CONTACT, roles);
    apply(store, source, CanonicalSchema.STAGE_HISTORY, history);
    apply(store, source, CanonicalSchema.ACTIVITY, activities);
  }

  private static void apply(MirrorStore store, String source, String object, List<MirrorRecord> records) {
    var columns = CanonicalSchema.standardFields(object);
    for (int from = 0; from < records.size(); from += 2000) {
      var batch = records.subList(from, Math.min(records.size(), from + 2000));
      store.apply(source, object, object, columns, batch, List.of(), List.of(),
          Optional.of(Checkpoint.of(Map.of("loaded", Integer.toString(from + batch.size())))));
    }
  }

  private static MirrorRecord record(String id, Instant modified, Object... pairs) {
    var values = new LinkedHashMap<String, Object>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put((String) pairs[i], pairs[i + 1]);
    }
    return new MirrorRecord(id, values, modified);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
