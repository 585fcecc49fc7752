package io.salesos.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.salesos.hubspot.sandbox.HubSpotSandbox;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HubSpot's API reports no fiscal year (GET /account-info/v3/details names the portal's time zone
 * and currencies only), so the connection's {@code fiscal_year_start_month} setting supplies it,
 * January by default, and says it came from the configuration, not the CRM.
 */
class CalendarTest {

  static HubSpotSandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = HubSpotSandbox.start(HubSpotSandbox.Options.defaults().withoutRequestLog());
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  @Test
  void theFiscalYearIsConfiguredAndTheZoneIsThePortals() throws Exception {
    try (var connector = TestConnections.connect(sandbox)) {
      var calendar = connector.calendar().orElseThrow();
      assertThat(calendar.fiscalYearStartMonth()).isEqualTo(1);
      assertThat(calendar.fiscalYearFromCrm()).isFalse();
      assertThat(calendar.timeZone()).isPresent();
    }
    try (var connector = TestConnections.connect(sandbox, Map.of("fiscal_year_start_month", "4"))) {
      assertThat(connector.calendar().orElseThrow().fiscalYearStartMonth()).isEqualTo(4);
    }
  }

  @Test
  void aMonthThatIsNoMonthStopsTheConnectionWithTheReason() {
    assertThatThrownBy(() -> TestConnections.connect(sandbox, Map.of("fiscal_year_start_month", "13")))
        .hasMessageContaining("fiscal_year_start_month").hasMessageContaining("1 for January");
    assertThatThrownBy(() -> TestConnections.connect(sandbox, Map.of("fiscal_year_start_month", "April")))
        .hasMessageContaining("'April'");
  }
}
