package io.salesos.salesforce.sandbox;

import static io.salesos.salesforce.sandbox.ConformanceOrg.NOW;
import static io.salesos.salesforce.sandbox.ConformanceOrg.assertFault;
import static io.salesos.salesforce.sandbox.ConformanceOrg.column;
import static org.assertj.core.api.Assertions.assertThat;

import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.fault.ExceptionCode;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Date literals in WHERE filter by a range of days, with = inside it, != outside it, &lt; before
 * its start, &gt; after its end, &lt;= up to its end and &gt;= from its start; on date and
 * dateTime fields alike. Source: "Date Formats and Date Literals in WHERE",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
class SoqlDateFilterConformanceTest {

  static ConformanceOrg org;
  static PartnerConnection p;

  @BeforeAll
  static void seed() throws Exception {
    org = new ConformanceOrg();
    // opportunities named for their close dates, around Friday 2026-11-20
    for (var d : new String[] {"2026-09-30", "2026-10-01", "2026-10-31", "2026-11-01", "2026-11-14", "2026-11-15",
        "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-23", "2026-11-24", "2026-11-30", "2026-12-01",
        "2026-12-31", "2027-01-01", "2027-01-31", "2027-02-01"}) {
      org.create("Opportunity", "Name", "D " + d, "StageName", "Prospecting", "CloseDate", d);
    }
    // accounts named for how long ago they were created
    org.createAt(NOW.minus(Duration.ofDays(40)), "Account", "Name", "created 40 days ago");
    org.createAt(NOW.minus(Duration.ofDays(30)), "Account", "Name", "created 30 days ago");
    org.createAt(NOW.minus(Duration.ofDays(10)), "Account", "Name", "created 10 days ago");
    org.createAt(NOW.minus(Duration.ofHours(10)).minusSeconds(1), "Account", "Name", "created yesterday late");
    org.createAt(NOW.minus(Duration.ofHours(10)), "Account", "Name", "created at midnight today");
    org.create("Account", "Name", "created now");
    p = org.login();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  private static java.util.List<String> closing(String where) throws Exception {
    return column(p, "SELECT Name FROM Opportunity WHERE " + where + " ORDER BY CloseDate", "Name").stream()
        .map(n -> n.substring(2)).toList();
  }

  private static java.util.List<String> created(String where) throws Exception {
    return column(p, "SELECT Name FROM Account WHERE " + where + " ORDER BY CreatedDate", "Name");
  }

  @Test
  void equalsTodayMatchesTheWholeDayOnADateTimeField() throws Exception {
    assertThat(created("CreatedDate = TODAY")).containsExactly("created at midnight today", "created now");
  }

  @Test
  void equalsTodayMatchesTheDayOnADateField() throws Exception {
    assertThat(closing("CloseDate = TODAY")).containsExactly("2026-11-20");
  }

  @Test
  void lastNDaysIncludesTodayAndTheNDaysBefore() throws Exception {
    assertThat(created("CreatedDate = LAST_N_DAYS:30")).containsExactly("created 30 days ago", "created 10 days ago",
        "created yesterday late", "created at midnight today", "created now");
  }

  @Test
  void yesterdayIsTheDayBeforeToday() throws Exception {
    assertThat(created("CreatedDate = YESTERDAY")).containsExactly("created yesterday late");
    assertThat(closing("CloseDate = YESTERDAY")).containsExactly("2026-11-19");
  }

  @Test
  void tomorrowAndNextNDaysStartTomorrow() throws Exception {
    assertThat(closing("CloseDate = TOMORROW")).containsExactly("2026-11-21");
    assertThat(closing("CloseDate = NEXT_N_DAYS:3")).containsExactly("2026-11-21", "2026-11-23");
  }

  @Test
  void thisWeekRunsFromSundayToSaturday() throws Exception {
    assertThat(closing("CloseDate = THIS_WEEK")).containsExactly("2026-11-15", "2026-11-19", "2026-11-20",
        "2026-11-21");
  }

  @Test
  void thisQuarterIsAccepted() throws Exception {
    assertThat(closing("CloseDate = THIS_QUARTER")).containsExactly("2026-10-01", "2026-10-31", "2026-11-01",
        "2026-11-14", "2026-11-15", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-23", "2026-11-24",
        "2026-11-30", "2026-12-01", "2026-12-31");
  }

  @Test
  void lessThanIsBeforeTheRangeStarts() throws Exception {
    assertThat(closing("CloseDate < THIS_MONTH")).containsExactly("2026-09-30", "2026-10-01", "2026-10-31");
  }

  @Test
  void greaterThanIsAfterTheRangeEnds() throws Exception {
    assertThat(closing("CloseDate > THIS_QUARTER")).containsExactly("2027-01-01", "2027-01-31", "2027-02-01");
  }

  @Test
  void lessOrEqualRunsToTheRangesEndAndGreaterOrEqualFromItsStart() throws Exception {
    assertThat(closing("CloseDate <= LAST_MONTH")).containsExactly("2026-09-30", "2026-10-01", "2026-10-31");
    assertThat(closing("CloseDate >= NEXT_MONTH")).containsExactly("2026-12-01", "2026-12-31", "2027-01-01",
        "2027-01-31", "2027-02-01");
  }

  @Test
  void notEqualsIsEverythingOutsideTheRange() throws Exception {
    assertThat(closing("CloseDate != THIS_YEAR")).containsExactly("2027-01-01", "2027-01-31", "2027-02-01");
  }

  @Test
  void aRangeCombinesWithOtherConditions() throws Exception {
    assertThat(closing("CloseDate = THIS_MONTH AND (CloseDate < THIS_WEEK OR CloseDate > THIS_WEEK)"))
        .containsExactly("2026-11-01", "2026-11-14", "2026-11-23", "2026-11-24", "2026-11-30");
  }

  @Test
  void fiscalLiteralsFollowTheOrgsFiscalYearStartMonth() throws Exception {
    assertThat(closing("CloseDate = THIS_FISCAL_QUARTER")).isEqualTo(closing("CloseDate = THIS_QUARTER"));
    org.sandbox.fiscalYearStartMonth(2);
    try {
      assertThat(closing("CloseDate = THIS_FISCAL_QUARTER")).containsExactly("2026-11-01", "2026-11-14",
          "2026-11-15", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-23", "2026-11-24", "2026-11-30",
          "2026-12-01", "2026-12-31", "2027-01-01", "2027-01-31");
      assertThat(closing("CloseDate > THIS_FISCAL_YEAR")).containsExactly("2027-02-01");
    } finally {
      org.sandbox.fiscalYearStartMonth(1);
    }
  }

  @Test
  void anUnknownLiteralIsAMalformedQuery() {
    assertFault(() -> p.query("SELECT Id FROM Opportunity WHERE CloseDate = THIS_DECADE"),
        ExceptionCode.MALFORMED_QUERY);
    assertFault(() -> p.query("SELECT Id FROM Opportunity WHERE CloseDate = LAST_N_DAYS:"),
        ExceptionCode.MALFORMED_QUERY);
  }

  @Test
  void aDateLiteralOnATextFieldIsAMalformedQuery() {
    assertFault(() -> p.query("SELECT Id FROM Opportunity WHERE Name = TODAY"), ExceptionCode.MALFORMED_QUERY);
  }

  @Test
  void aDateTimeValueFiltersADateTimeFieldAndADateValueADateField() throws Exception {
    assertThat(created("CreatedDate >= 2026-11-20T00:00:00Z")).containsExactly("created at midnight today",
        "created now");
    assertThat(closing("CloseDate > 2027-01-01")).containsExactly("2027-01-31", "2027-02-01");
    assertFault(() -> p.query("SELECT Id FROM Account WHERE CreatedDate > 2026-11-20"),
        ExceptionCode.MALFORMED_QUERY);
  }
}
