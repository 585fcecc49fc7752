package io.salesos.launcher;

import io.salesos.rules.InMemoryContextSource;
import io.salesos.rules.CrmRecord;
import io.salesos.rules.AccountContext;
import io.salesos.rules.DealContext;
import io.salesos.rules.ContactContext;
import io.salesos.rules.ActivityContext;
import io.salesos.rules.DealContact;
import io.salesos.demo.DemoOrg;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo org as rules see it, without a mirror: canonical records built straight from {@link
 * DemoOrg}, scoped like the mirror's source will be (open deals and deals closed in the last 90
 * days, leads and contacts created in the last 30 days, meetings within two days of now, every
 * account). For tests, the benchmark and a mirror-less demo dry run.
 */
public final class DemoContextSource {

  private DemoContextSource() {}

  public static InMemoryContextSource of(DemoOrg org) {
    return of(org, "");
  }

  /**
   * As {@link #of(DemoOrg)}, with {@code prefix} before every id and every reference to one, so
   * several generated orgs can stand side by side as one larger org (the benchmark's partitions).
   */
  public static InMemoryContextSource of(DemoOrg org, String prefix) {
    java.util.function.UnaryOperator<String> p = id -> id == null ? null : prefix + id;
    var asOf = org.asOf();
    var owners = new LinkedHashMap<String, CrmRecord>();
    for (var u : org.users()) {
      owners.put(u.id(), CrmRecord.of(p.apply(u.id()), "name", u.name(), "first_name", u.firstName(), "last_name", u.lastName(),
          "email", u.email(), "title", u.title(), "role", u.role().name().toLowerCase(),
          "manager_id", p.apply(u.managerId().orElse(null)), "region", u.region(), "base_lat", u.baseLat(),
          "base_lng", u.baseLng(), "urban", u.urban(), "active", true, "time_zone", u.timeZone().getId()));
    }
    var accounts = new HashMap<String, CrmRecord>();
    for (var a : org.accounts()) {
      accounts.put(a.id(), CrmRecord.of(p.apply(a.id()), "name", a.name(), "owner_id", p.apply(a.ownerId()), "industry", a.industry(),
          "street", a.street(), "city", a.city(), "state", a.state(), "lat", a.lat(), "lng", a.lng(),
          "opening_hours", a.openingHours(), "tier", a.tier(), "visit_every_days", (long) a.visitEveryDays(),
          "created_at", a.createdAt()));
    }
    var contacts = new HashMap<String, CrmRecord>();
    for (var c : org.contacts()) {
      contacts.put(c.id(), CrmRecord.of(p.apply(c.id()), "account_id", p.apply(c.accountId()), "owner_id", p.apply(c.ownerId()),
          "first_name", c.firstName(), "last_name", c.lastName(), "email", c.email(), "title", c.title(),
          "buying_role", c.buyingRole().orElse(null), "lifecycle", c.lifecycle(), "created_at", c.createdAt()));
    }
    var byAccount = new HashMap<String, List<CrmRecord>>();
    var byDeal = new HashMap<String, List<CrmRecord>>();
    var byContact = new HashMap<String, List<CrmRecord>>();
    var activities = new ArrayList<CrmRecord>();
    for (var a : org.activities()) {
      var r = CrmRecord.of(p.apply(a.id()), "kind", a.kind().name().toLowerCase(), "subject", a.subject(),
          "owner_id", p.apply(a.ownerId()), "account_id", p.apply(a.accountId().orElse(null)), "deal_id", p.apply(a.dealId().orElse(null)),
          "contact_id", p.apply(a.contactId().orElse(null)), "start_at", a.startAt(), "end_at", a.endAt(),
          "status", a.status().name().toLowerCase(), "check_in_lat", a.checkInLat().orElse(null),
          "check_in_lng", a.checkInLng().orElse(null), "created_at", a.startAt());
      activities.add(r);
      a.accountId().ifPresent(id -> byAccount.computeIfAbsent(id, k -> new ArrayList<>()).add(r));
      a.dealId().ifPresent(id -> byDeal.computeIfAbsent(id, k -> new ArrayList<>()).add(r));
      a.contactId().ifPresent(id -> byContact.computeIfAbsent(id, k -> new ArrayList<>()).add(r));
    }
    var deals = new ArrayList<DealContext>();
    var openByAccount = new HashMap<String, List<CrmRecord>>();
    for (var d : org.deals()) {
      var deal = deal(d, p);
      if (!d.stage().closed()) {
        openByAccount.computeIfAbsent(d.accountId(), k -> new ArrayList<>()).add(deal);
      } else if (d.stageEnteredAt().isBefore(asOf.minus(Duration.ofDays(90)))) {
        continue;
      }
      var roles = d.contactRoles().stream()
          .filter(cr -> contacts.containsKey(cr.contactId()))
          .map(cr -> new DealContact(contacts.get(cr.contactId()), cr.role(), cr.primary())).toList();
      var acts = new ArrayList<>(byAccount.getOrDefault(d.accountId(), List.of()));
      for (var a : byDeal.getOrDefault(d.id(), List.of())) {
        if (!a.string("account_id").equals(Optional.of(p.apply(d.accountId())))) {
          acts.add(a);
        }
      }
      var history = new ArrayList<CrmRecord>();
      for (int i = 0; i < d.stageHistory().size(); i++) {
        var h = d.stageHistory().get(i);
        history.add(CrmRecord.of(p.apply(d.id() + "-" + i), "deal_id", p.apply(d.id()), "stage", h.stage().label(), "amount", h.amount(),
            "close_date", h.closeDate(), "forecast_category", h.forecastCategory().label(), "changed_at", h.at()));
      }
      deals.add(new DealContext(deal, accounts.get(d.accountId()), roles, acts, history,
          owners.getOrDefault(d.ownerId(), CrmRecord.empty())));
    }
    var contactSubjects = new ArrayList<ContactContext>();
    for (var c : org.contacts()) {
      if (c.lifecycle().equals("lead") || c.createdAt().isAfter(asOf.minus(Duration.ofDays(30)))) {
        contactSubjects.add(new ContactContext(contacts.get(c.id()), accounts.get(c.accountId()),
            byContact.getOrDefault(c.id(), List.of()), owners.getOrDefault(c.ownerId(), CrmRecord.empty())));
      }
    }
    var accountSubjects = new ArrayList<AccountContext>();
    var contactsByAccount = new HashMap<String, List<CrmRecord>>();
    org.contacts().forEach(c -> contactsByAccount.computeIfAbsent(c.accountId(), k -> new ArrayList<>()).add(contacts.get(c.id())));
    for (var a : org.accounts()) {
      accountSubjects.add(new AccountContext(accounts.get(a.id()), contactsByAccount.getOrDefault(a.id(), List.of()),
          openByAccount.getOrDefault(a.id(), List.of()), byAccount.getOrDefault(a.id(), List.of()),
          owners.getOrDefault(a.ownerId(), CrmRecord.empty())));
    }
    var activitySubjects = new ArrayList<ActivityContext>();
    for (int i = 0; i < org.activities().size(); i++) {
      var a = org.activities().get(i);
      if (a.kind() == DemoOrg.ActivityKind.MEETING
          && Duration.between(a.startAt(), asOf).abs().compareTo(Duration.ofDays(2)) <= 0) {
        var r = activities.get(i);
        activitySubjects.add(new ActivityContext(r, a.accountId().map(accounts::get).orElse(null),
            null, a.contactId().map(contacts::get).orElse(null), owners.getOrDefault(a.ownerId(), CrmRecord.empty())));
      }
    }
    return new InMemoryContextSource(deals, contactSubjects, accountSubjects, activitySubjects, List.copyOf(owners.values()));
  }

  static CrmRecord deal(DemoOrg.Deal d) {
    return deal(d, id -> id);
  }

  static CrmRecord deal(DemoOrg.Deal d, java.util.function.UnaryOperator<String> p) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", d.name());
    v.put("account_id", p.apply(d.accountId()));
    v.put("owner_id", p.apply(d.ownerId()));
    v.put("stage", d.stage().label());
    v.put("amount", d.amount());
    v.put("close_date", d.closeDate());
    v.put("probability", BigDecimal.valueOf(d.stage().probability()));
    v.put("forecast_category", d.forecastCategory().label());
    v.put("next_step", d.nextStep().orElse(null));
    v.put("next_step_date", d.nextStepDate().orElse(null));
    v.put("mutual_action_plan", d.mutualActionPlan().orElse(null));
    v.put("is_closed", d.stage().closed());
    v.put("is_won", d.stage().won());
    v.put("stage_entered_at", d.stageEnteredAt());
    v.put("created_at", d.createdAt());
    return new CrmRecord(p.apply(d.id()), v);
  }
}
