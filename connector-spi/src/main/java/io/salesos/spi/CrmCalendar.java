package io.salesos.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * The org-wide calendar a CRM keeps: the month its standard fiscal year starts in (Salesforce's
 * Organization.FiscalYearStartMonth, 1 for January) and the org's default time zone (Salesforce's
 * Organization.TimeZoneSidKey, HubSpot's account time zone), as the CRM names it. {@code
 * fiscalYearFromCrm} says whether the CRM itself reported the month, or the connection's
 * configuration supplied it for a CRM that keeps none.
 */
public record CrmCalendar(int fiscalYearStartMonth, boolean fiscalYearFromCrm, Optional<String> timeZone) {

  public CrmCalendar {
    if (fiscalYearStartMonth < 1 || fiscalYearStartMonth > 12) {
      throw new IllegalArgumentException("a fiscal year starts in a month from 1 to 12, not " + fiscalYearStartMonth);
    }
    Objects.requireNonNull(timeZone, "timeZone");
    timeZone = timeZone.map(String::strip).filter(z -> !z.isEmpty());
  }
}
