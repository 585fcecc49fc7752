package io.salesos.salesforce.sandbox;

import io.salesos.demo.DemoOrg;
import io.salesos.demo.DemoOrg.ActivityKind;
import io.salesos.demo.DemoOrg.ActivityStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/**
 * Translates a canonical demo org into the sandbox's sObjects: demo ids become Salesforce ids with
 * the right key prefixes, leads become Lead records, stage history becomes OpportunityHistory
 * rows, visits and meetings become Events and calls, emails and to-dos Tasks.
 */
final class DemoSeeder {

  private final OrgStore store;
  private final Map<String, String> ids = new HashMap<>();

  /** The org's name for a demo stage: the demo's own, or in a stock org the stock stage it maps onto. */
  private String stageName(io.salesos.demo.DemoOrg.Stage stage) {
    return store.schema().stages().byLabel(stage.label()).map(OrgStages.StageDef::label)
        .orElseGet(() -> OrgStages.stockStageOf(stage));
  }

  DemoSeeder(OrgStore store) {
    this.store = store;
  }

  void seed(DemoOrg org) {
    var asOf = org.asOf();
    // an org with EUR among its currencies (the stock seed): the European team's deals are in euros
    var european = store.currencies().contains("EUR") ? org.euroSellers() : java.util.Set.<String>of();
    for (var u : org.users()) {
      var v = new HashMap<String, Object>();
      v.put("Username", u.email());
      v.put("FirstName", u.firstName());
      v.put("LastName", u.lastName());
      v.put("Email", u.email());
      v.put("Title", u.title());
      v.put("IsActive", Boolean.TRUE);
      v.put("Division", u.region());
      v.put("Latitude", BigDecimal.valueOf(u.baseLat()));
      v.put("Longitude", BigDecimal.valueOf(u.baseLng()));
      v.put("Sales_Role__c", switch (u.role()) {
        case VP -> "VP";
        case MANAGER -> "Manager";
        case REP -> "Rep";
      });
      v.put("Urban__c", u.urban());
      v.put("TimeZoneSidKey", u.timeZone().getId());
      var created = asOf.minus(java.time.Duration.ofDays(400));
      ids.put(u.id(), store.seed("User", v, created, created).id);
    }
    for (var u : org.users()) {
      u.managerId().ifPresent(m -> store.setRaw(ids.get(u.id()), "ManagerId", ids.get(m), null));
    }
    for (var a : org.accounts()) {
      var v = new HashMap<String, Object>();
      v.put("Name", a.name());
      v.put("OwnerId", ids.get(a.ownerId()));
      v.put("CreatedById", ids.get(a.ownerId()));
      v.put("Industry", a.industry());
      v.put("BillingStreet", a.street());
      v.put("BillingCity", a.city());
      v.put("BillingState", a.state());
      v.put("BillingCountry", "United States");
      v.put("BillingLatitude", BigDecimal.valueOf(a.lat()));
      v.put("BillingLongitude", BigDecimal.valueOf(a.lng()));
      v.put("Opening_Hours__c", a.openingHours());
      v.put("Tier__c", a.tier());
      v.put("Visit_Every_Days__c", BigDecimal.valueOf(a.visitEveryDays()));
      ids.put(a.id(), store.seed("Account", v, a.createdAt(), a.createdAt()).id);
    }
    var accountNames = new HashMap<String, String>();
    org.accounts().forEach(a -> accountNames.put(a.id(), a.name()));
    for (var c : org.contacts()) {
      var v = new HashMap<String, Object>();
      v.put("OwnerId", ids.get(c.ownerId()));
      v.put("FirstName", c.firstName());
      v.put("LastName", c.lastName());
      v.put("Email", c.email());
      v.put("Title", c.title());
      boolean lead = "lead".equalsIgnoreCase(c.lifecycle());
      if (lead) {
        v.put("Company", accountNames.getOrDefault(c.accountId(), c.lastName() + " Household"));
        v.put("Status", "Open - Not Contacted");
        v.put("IsConverted", Boolean.FALSE);
      } else {
        v.put("AccountId", ids.get(c.accountId()));
        c.buyingRole().ifPresent(r -> v.put("Buying_Role__c", r));
      }
      ids.put(c.id(), store.seed(lead ? "Lead" : "Contact", v, c.createdAt(), c.createdAt()).id);
    }
    for (var d : org.deals()) {
      var v = new HashMap<String, Object>();
      v.put("Name", d.name());
      v.put("AccountId", ids.get(d.accountId()));
      v.put("OwnerId", ids.get(d.ownerId()));
      v.put("CreatedById", ids.get(d.ownerId()));
      v.put("StageName", stageName(d.stage()));
      v.put("Amount", d.amount());
      if (european.contains(d.ownerId())) {
        v.put("CurrencyIsoCode", "EUR");
      }
      v.put("CloseDate", d.closeDate());
      v.put("ForecastCategoryName", d.forecastCategory().label());
      d.nextStep().ifPresent(s -> v.put("NextStep", s));
      d.nextStepDate().ifPresent(s -> v.put("Next_Step_Date__c", s));
      d.mutualActionPlan().ifPresent(s -> v.put("Mutual_Action_Plan__c", s));
      var stamp = min(d.stageEnteredAt(), asOf);
      v.put("LastStageChangeDate", stamp);
      var opp = store.seed("Opportunity", v, d.createdAt(), stamp);
      // the demo's category is the rep's call; seeding keeps it rather than the stage default
      opp.values.put("ForecastCategoryName", d.forecastCategory().label());
      ids.put(d.id(), opp.id);
      for (var h : d.stageHistory()) {
        var hv = new HashMap<String, Object>();
        hv.put("OpportunityId", opp.id);
        hv.put("StageName", stageName(h.stage()));
        hv.put("Amount", h.amount());
        hv.put("CloseDate", h.closeDate());
        hv.put("Probability", BigDecimal.valueOf(store.schema().stages().byLabel(stageName(h.stage()))
            .map(OrgStages.StageDef::probability).orElse(h.stage().probability())));
        hv.put("ForecastCategory", h.forecastCategory().label());
        hv.put("CreatedById", ids.get(d.ownerId()));
        var at = min(h.at(), asOf);
        store.seed("OpportunityHistory", hv, at, at);
      }
      for (var r : d.contactRoles()) {
        var contactId = ids.get(r.contactId());
        if (contactId == null || !contactId.startsWith("003")) {
          continue;
        }
        var rv = new HashMap<String, Object>();
        rv.put("OpportunityId", opp.id);
        rv.put("ContactId", contactId);
        rv.put("Role", r.role());
        rv.put("IsPrimary", r.primary());
        store.seed("OpportunityContactRole", rv, d.createdAt(), d.createdAt());
      }
    }
    for (var a : org.activities()) {
      var v = new HashMap<String, Object>();
      v.put("OwnerId", ids.get(a.ownerId()));
      v.put("CreatedById", ids.get(a.ownerId()));
      v.put("Subject", a.subject());
      a.dealId().or(a::accountId).map(ids::get).ifPresent(w -> v.put("WhatId", w));
      a.contactId().map(ids::get).ifPresent(w -> v.put("WhoId", w));
      // planned activities were booked a little before the demo's "now", not at it, so a first
      // sync (which leaves the last minute to open transactions) already sees them
      var stamp = min(a.startAt(), asOf.minus(java.time.Duration.ofMinutes(5)));
      boolean event = a.kind() == ActivityKind.VISIT || a.kind() == ActivityKind.MEETING;
      if (event) {
        v.put("Type", a.kind() == ActivityKind.VISIT ? "Visit" : "Meeting");
        v.put("StartDateTime", a.startAt());
        v.put("EndDateTime", a.endAt());
        v.put("Status__c", switch (a.status()) {
          case PLANNED -> "Planned";
          case COMPLETED -> "Completed";
          case CANCELLED -> "Cancelled";
        });
        a.checkInLat().ifPresent(x -> v.put("Check_In_Latitude__c", BigDecimal.valueOf(x)));
        a.checkInLng().ifPresent(x -> v.put("Check_In_Longitude__c", BigDecimal.valueOf(x)));
      } else {
        v.put("Type", switch (a.kind()) {
          case CALL -> "Call";
          case EMAIL -> "Email";
          default -> "Other";
        });
        // a task's date is the owner's local date (Salesforce shows ActivityDate in the user's zone)
        var zone = org.users().stream().filter(u -> u.id().equals(a.ownerId())).findFirst()
            .map(u -> (java.time.ZoneId) u.timeZone()).orElse(ZoneOffset.UTC);
        v.put("ActivityDate", LocalDate.ofInstant(a.startAt(), zone));
        v.put("Status", a.status() == ActivityStatus.COMPLETED ? "Completed" : "Not Started");
        v.put("Priority", "Normal");
      }
      store.seed(event ? "Event" : "Task", v, stamp, stamp);
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
