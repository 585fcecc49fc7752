package io.salesos.rules;

import java.util.Map;
import java.util.Optional;

/**
 * The org's time as rules see it in one run: the month its fiscal year starts (Salesforce's
 * Organization.FiscalYearStartMonth; January when the CRM says nothing) and each rep's working
 * calendar by owner id. A rep without a calendar (a zone the CRM names that is not a time-zone id)
 * makes the business-hour functions fail on that rep's records, so no task gets a guessed due time.
 */
public record OrgCalendar(int fiscalYearStartMonth, Map<String, Optional<WorkCalendar>> reps, WorkCalendar fallback) {

  /** Calendar quarters, every rep on weekdays 08:00-17:00 UTC. */
  public static final OrgCalendar DEFAULT = new OrgCalendar(1, Map.of(), WorkCalendar.UTC_OFFICE);

  public OrgCalendar {
    if (fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12) {
      throw new IllegalArgumentException("the fiscal year must start in month 1..12, not " + fiscalYearStartMonth);
    }
    reps = Map.copyOf(reps);
  }

  /**
   * The month a connection's fiscal year starts in: the CRM's own (Salesforce's
   * Organization.FiscalYearStartMonth) when it reports one; else routing.yaml's {@code
   * fiscal_year_start_month}; else the connection's configured month (HubSpot's {@code
   * fiscal_year_start_month} setting, January by default); January when nothing is known yet.
   */
  public static int fiscalYearStartMonth(Optional<RoutingRules> routing, Optional<io.salesos.spi.CrmCalendar> crm) {
    if (crm.isPresent() && crm.get().fiscalYearFromCrm()) {
      return crm.get().fiscalYearStartMonth();
    }
    var set = routing.flatMap(r -> {
      var m = r.fiscalYearStartMonth();
      return m.isPresent() ? Optional.of(m.getAsInt()) : Optional.<Integer>empty();
    });
    return set.orElseGet(() -> crm.map(io.salesos.spi.CrmCalendar::fiscalYearStartMonth).orElse(1));
  }

  /**
   * The org's zone, in which quarters and weeks of org-wide reports begin: the CRM's default zone
   * (Salesforce's Organization.TimeZoneSidKey, HubSpot's account zone) when it is a zone id, else
   * routing.yaml's {@code time_zone}, else UTC.
   */
  public static java.time.ZoneId orgZone(Optional<RoutingRules> routing, Optional<io.salesos.spi.CrmCalendar> crm) {
    return crm.flatMap(io.salesos.spi.CrmCalendar::timeZone).flatMap(RoutingRules::parseZone)
        .orElseGet(() -> routing.map(RoutingRules::defaultZone).orElse(java.time.ZoneOffset.UTC));
  }

  /**
   * The name of the org's fiscal quarter that holds {@code now} in the org's zone: {@code 2026-Q4}
   * for calendar quarters, {@code FY2027-Q4} for a fiscal year from another month (named by the
   * calendar year it ends in).
   */
  public static String quarterName(java.time.Instant now, Optional<RoutingRules> routing,
      Optional<io.salesos.spi.CrmCalendar> crm) {
    return RuleFunctions.quarter(now, orgZone(routing, crm), fiscalYearStartMonth(routing, crm));
  }

  /** The working calendar of {@code ownerId}; the fallback for an owner the run does not know. */
  public WorkCalendar calendar(String ownerId) {
    var known = reps.get(ownerId);
    if (known == null) {
      return fallback;
    }
    return known.orElseThrow(() -> new IllegalArgumentException("owner " + ownerId
        + " has a time zone in the CRM that is not a time-zone id, so its business hours are unknown"));
  }

  /** The zone id of {@code ownerId} as rules read it ({@code owner.tz}); empty when the rep's zone is unknown. */
  public Optional<String> zoneOf(String ownerId) {
    var known = reps.get(ownerId);
    return known == null ? Optional.of(fallback.zone().getId()) : known.map(c -> c.zone().getId());
  }
}
