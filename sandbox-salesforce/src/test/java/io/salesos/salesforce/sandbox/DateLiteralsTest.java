package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.salesforce.sandbox.DateLiterals.Range;
import java.time.LocalDate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The ranges the SOQL reference gives each date literal, on Friday 2026-11-20 (en_US weeks start on
 * Sunday). Source: "Date Formats and Date Literals in WHERE",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
class DateLiteralsTest {

  static final LocalDate TODAY = LocalDate.of(2026, 11, 20);

  @ParameterizedTest(name = "{0} is [{1}, {2})")
  @CsvSource({
      "TODAY, 2026-11-20, 2026-11-21",
      "YESTERDAY, 2026-11-19, 2026-11-20",
      "TOMORROW, 2026-11-21, 2026-11-22",
      "LAST_WEEK, 2026-11-08, 2026-11-15",
      "THIS_WEEK, 2026-11-15, 2026-11-22",
      "NEXT_WEEK, 2026-11-22, 2026-11-29",
      "LAST_MONTH, 2026-10-01, 2026-11-01",
      "THIS_MONTH, 2026-11-01, 2026-12-01",
      "NEXT_MONTH, 2026-12-01, 2027-01-01",
      // LAST_90_DAYS and LAST_N_DAYS:n include today; NEXT_N_DAYS:n starts tomorrow
      "LAST_90_DAYS, 2026-08-22, 2026-11-21",
      "NEXT_90_DAYS, 2026-11-21, 2027-02-19",
      "LAST_N_DAYS:1, 2026-11-19, 2026-11-21",
      "LAST_N_DAYS:30, 2026-10-21, 2026-11-21",
      "NEXT_N_DAYS:3, 2026-11-21, 2026-11-24",
      "N_DAYS_AGO:3, 2026-11-17, 2026-11-18",
      "LAST_N_WEEKS:2, 2026-11-01, 2026-11-15",
      "NEXT_N_WEEKS:2, 2026-11-22, 2026-12-06",
      "N_WEEKS_AGO:2, 2026-11-01, 2026-11-08",
      "LAST_N_MONTHS:2, 2026-09-01, 2026-11-01",
      "NEXT_N_MONTHS:2, 2026-12-01, 2027-02-01",
      "N_MONTHS_AGO:1, 2026-10-01, 2026-11-01",
      "THIS_QUARTER, 2026-10-01, 2027-01-01",
      "LAST_QUARTER, 2026-07-01, 2026-10-01",
      "NEXT_QUARTER, 2027-01-01, 2027-04-01",
      "LAST_N_QUARTERS:2, 2026-04-01, 2026-10-01",
      "NEXT_N_QUARTERS:2, 2027-01-01, 2027-07-01",
      "N_QUARTERS_AGO:1, 2026-07-01, 2026-10-01",
      "THIS_YEAR, 2026-01-01, 2027-01-01",
      "LAST_YEAR, 2025-01-01, 2026-01-01",
      "NEXT_YEAR, 2027-01-01, 2028-01-01",
      "LAST_N_YEARS:2, 2024-01-01, 2026-01-01",
      "NEXT_N_YEARS:2, 2027-01-01, 2029-01-01",
      "N_YEARS_AGO:1, 2025-01-01, 2026-01-01",
      "THIS_FISCAL_QUARTER, 2026-10-01, 2027-01-01",
      "THIS_FISCAL_YEAR, 2026-01-01, 2027-01-01",
  })
  void aCalendarLiteralNamesTheDocumentedRange(String literal, String start, String end) {
    assertThat(DateLiterals.resolve(literal, TODAY, 1))
        .contains(new Range(LocalDate.parse(start), LocalDate.parse(end)));
  }

  @ParameterizedTest(name = "{0} with a February fiscal year is [{1}, {2})")
  @CsvSource({
      "THIS_FISCAL_QUARTER, 2026-11-01, 2027-02-01",
      "LAST_FISCAL_QUARTER, 2026-08-01, 2026-11-01",
      "NEXT_FISCAL_QUARTER, 2027-02-01, 2027-05-01",
      "LAST_N_FISCAL_QUARTERS:2, 2026-05-01, 2026-11-01",
      "NEXT_N_FISCAL_QUARTERS:2, 2027-02-01, 2027-08-01",
      "N_FISCAL_QUARTERS_AGO:2, 2026-05-01, 2026-08-01",
      "THIS_FISCAL_YEAR, 2026-02-01, 2027-02-01",
      "LAST_FISCAL_YEAR, 2025-02-01, 2026-02-01",
      "NEXT_FISCAL_YEAR, 2027-02-01, 2028-02-01",
      "LAST_N_FISCAL_YEARS:2, 2024-02-01, 2026-02-01",
      "NEXT_N_FISCAL_YEARS:2, 2027-02-01, 2029-02-01",
      "N_FISCAL_YEARS_AGO:1, 2025-02-01, 2026-02-01",
  })
  void aFiscalLiteralFollowsTheFiscalYearStartMonth(String literal, String start, String end) {
    assertThat(DateLiterals.resolve(literal, TODAY, 2))
        .contains(new Range(LocalDate.parse(start), LocalDate.parse(end)));
  }

  @Test
  void aFiscalYearStartingLaterInTheYearBeganTheYearBefore() {
    // July start: 2026-11-20 lies in the fiscal year July 2026 - June 2027, in its second quarter
    assertThat(DateLiterals.resolve("THIS_FISCAL_YEAR", TODAY, 7))
        .contains(new Range(LocalDate.of(2026, 7, 1), LocalDate.of(2027, 7, 1)));
    assertThat(DateLiterals.resolve("THIS_FISCAL_QUARTER", TODAY, 7))
        .contains(new Range(LocalDate.of(2026, 10, 1), LocalDate.of(2027, 1, 1)));
    assertThat(DateLiterals.resolve("THIS_FISCAL_YEAR", LocalDate.of(2026, 3, 5), 7))
        .contains(new Range(LocalDate.of(2025, 7, 1), LocalDate.of(2026, 7, 1)));
  }

  @Test
  void aWeekRunsFromSundayEvenWhenTodayIsSunday() {
    assertThat(DateLiterals.resolve("THIS_WEEK", LocalDate.of(2026, 11, 15), 1))
        .contains(new Range(LocalDate.of(2026, 11, 15), LocalDate.of(2026, 11, 22)));
  }

  @Test
  void literalsAreReadCaseInsensitively() {
    assertThat(DateLiterals.resolve("last_n_days:7", TODAY, 1))
        .contains(new Range(LocalDate.of(2026, 11, 13), LocalDate.of(2026, 11, 21)));
  }

  @Test
  void wordsThatAreNoDateLiteralResolveToNothing() {
    assertThat(DateLiterals.resolve("THIS_DECADE", TODAY, 1)).isEmpty();
    assertThat(DateLiterals.resolve("LAST_WEEK:3", TODAY, 1)).isEmpty();
    assertThat(DateLiterals.resolve("NEXT_N_CENTURIES:2", TODAY, 1)).isEmpty();
  }

  @Test
  void aLiteralWithoutItsNumberIsRefused() {
    assertThatThrownBy(() -> DateLiterals.resolve("LAST_N_DAYS:", TODAY, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole number");
    assertThatThrownBy(() -> DateLiterals.resolve("LAST_N_DAYS:x", TODAY, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
