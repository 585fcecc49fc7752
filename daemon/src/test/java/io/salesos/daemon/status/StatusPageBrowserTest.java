package io.salesos.daemon.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Loads the status page in real headless Chromium (Debian's chromium and chromium-driver, which
 * {@code .ci/run} installs) after a demo cycle, checks that the forecast table and the plan map
 * render with the numbers the database holds, and saves {@code target/status-page.png}. Skips,
 * saying why, where Chromium is not installed.
 */
class StatusPageBrowserTest {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  static ChromeDriver browser;
  static Path profile;

  @BeforeAll
  static void startChromium() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present) {
      System.out.println("SKIPPED StatusPageBrowserTest: " + CHROMIUM + " or " + CHROMEDRIVER
          + " is not installed (apt-get install -y chromium chromium-driver; .ci/run does this)");
    }
    assumeTrue(present, "Chromium is not installed: apt-get install -y chromium chromium-driver");
    profile = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chromium-profile");
    var options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--user-data-dir=" + profile, "--window-size=1360,2300", "--hide-scrollbars");
    var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopChromium() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void forecastTableAndPlanMapRenderWithRealNumbers() throws Exception {
    var cycle = DemoCycle.get();
    browser.get(cycle.url("/?source=salesforce"));

    assertThat(browser.getTitle()).contains("salesos status");
    var reps = browser.findElements(By.cssSelector("table.forecast tbody tr.rep"));
    var snapshot = repSums(cycle);
    assertThat(reps).hasSize(snapshot.get("reps").intValue());
    assertThat(reps).isNotEmpty();
    assertThat(sum(reps, "called-commit")).isEqualByComparingTo(snapshot.get("called"));
    assertThat(sum(reps, "adjusted-commit")).isEqualByComparingTo(snapshot.get("adjusted"));
    assertThat(snapshot.get("called")).isPositive();
    var team = browser.findElement(By.cssSelector("table.forecast tfoot tr.team"));
    assertThat(value(team, "called-commit")).isEqualByComparingTo(snapshot.get("teamCalled"));
    assertThat(team.getText()).contains("Team total").containsPattern("\\$[1-9][0-9,]*");
    // the first row read is the biggest gap: the rep the headline names
    assertThat(reps.get(0).findElement(By.tagName("th")).getText()).isEqualTo(StatusPageHttpTest.topPadder(cycle));
    assertThat(browser.findElement(By.cssSelector(".headline")).getText()).contains("at risk");

    var map = browser.findElement(By.cssSelector("svg.plan-map"));
    assertThat(map.isDisplayed()).isTrue();
    assertThat(map.getSize().getWidth()).isGreaterThan(300);
    var circles = map.findElements(By.cssSelector("circle.account, circle.stop"));
    assertThat(circles).as("account stops drawn on the map").isNotEmpty();
    assertThat(browser.findElements(By.cssSelector("#tomorrow table.tomorrow tbody tr"))).isNotEmpty();

    var shot = browser.getScreenshotAs(OutputType.FILE);
    var target = Path.of("target", "status-page.png");
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(target)).isGreaterThan(10_000);
    System.out.println("status page screenshot: " + target.toAbsolutePath());
  }

  private static BigDecimal sum(java.util.List<WebElement> rows, String cls) {
    return rows.stream().map(r -> value(r, cls)).reduce(BigDecimal.ZERO, BigDecimal::add);
  }

  private static BigDecimal value(WebElement row, String cls) {
    return new BigDecimal(row.findElement(By.cssSelector("td." + cls)).getDomAttribute("data-value"));
  }

  private static Map<String, BigDecimal> repSums(DemoCycle cycle) throws Exception {
    var out = new HashMap<String, BigDecimal>();
    try (var c = cycle.database().connection(); var rs = c.createStatement().executeQuery(
        "SELECT COUNT(*), SUM(called_commit), SUM(adjusted_commit),"
            + " (SELECT called_commit FROM forecast_snapshot t WHERE t.run_id = s.run_id AND t.level = 'team')"
            + " FROM forecast_snapshot s WHERE s.level = 'rep' AND s.run_id = (SELECT run_id FROM forecast_snapshot"
            + " WHERE source = 'salesforce' ORDER BY taken_at DESC LIMIT 1) GROUP BY s.run_id")) {
      assertThat(rs.next()).isTrue();
      out.put("reps", BigDecimal.valueOf(rs.getLong(1)));
      out.put("called", rs.getBigDecimal(2));
      out.put("adjusted", rs.getBigDecimal(3));
      out.put("teamCalled", rs.getBigDecimal(4));
    }
    return out;
  }

}
