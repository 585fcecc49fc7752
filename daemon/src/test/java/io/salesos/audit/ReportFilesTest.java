package io.salesos.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportFilesTest {

  static final AuditTable TABLE = new AuditTable("Deals", List.of("id", "name", "amount"), List.of(
      List.of("d1", "Smith, Jones & Co <Fleet>", "1200.00"),
      List.of("d2", "The \"big\" one", "15.50"),
      List.of("d3", "two\nlines", ""),
      List.of("d4", "", "0.00")));
  static final AuditReport REPORT = new AuditReport("deals", "Deal audit", "2026-Q3", List.of("2 of 4 <untouched>"), TABLE,
      List.of(new AuditTable("By owner", List.of("owner", "deals"), List.of(List.of("Rep One", "4")))));

  @Test
  void csvParsesBackToTheSameHeaderAndRows() {
    var parsed = ReportFiles.parseCsv(ReportFiles.csv(TABLE));
    var expected = new ArrayList<List<String>>();
    expected.add(TABLE.columns());
    expected.addAll(TABLE.rows());
    assertThat(parsed).isEqualTo(expected);
  }

  @Test
  void aCompanyNamedLikeAFormulaReadsBackAsTextStartingWithAQuote(@TempDir Path dir) throws Exception {
    var table = new AuditTable("Deals", List.of("id", "company", "amount"), List.of(
        List.of("d1", "=HYPERLINK(\"x\")", "-1200.00"),
        List.of("d2", "@SUM(A1)", "-"),
        List.of("d3", "+1, -2", "12%"),
        List.of("d4", "-cmd|' /C calc'!A0", "-3"),
        List.of("d5", "\tTab", "0.0"),
        List.of("d6", "\rReturn", "7")));
    var report = new AuditReport("deals", "Deal audit", "2026-Q3", List.of(), table, List.of());
    var csv = Files.readString(ReportFiles.write(report, dir, Instant.parse("2026-11-23T07:00:00Z")).get(0));
    assertThat(csv).contains("d1,\"'=HYPERLINK(\"\"x\"\")\",-1200.00\r\n");
    var rows = ReportFiles.parseCsv(csv).subList(1, 7);
    assertThat(rows).extracting(r -> r.get(1))
        .containsExactly("'=HYPERLINK(\"x\")", "'@SUM(A1)", "'+1, -2", "'-cmd|' /C calc'!A0", "'\tTab", "'\rReturn");
    assertThat(rows).extracting(r -> r.get(2)).as("numbers are numeric cells, left as written")
        .containsExactly("-1200.00", "-", "12%", "-3", "0.0", "7");
  }

  @Test
  void htmlIsOneSelfContainedPageWithTheTablesEscaped() {
    var html = ReportFiles.html(REPORT, Instant.parse("2026-11-23T07:00:00Z"));
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    assertThat(html).contains("<th>id</th><th>name</th><th class=\"n\">amount</th>");
    assertThat(html).contains("<td>Smith, Jones &amp; Co &lt;Fleet&gt;</td>").contains("<li>2 of 4 &lt;untouched&gt;</li>");
    assertThat(html).contains("<h2>By owner</h2>");
    assertThat(html.split("<tr>", -1)).hasSize(1 + 1 + TABLE.rows().size() + 1 + 1);
    assertThat(html).doesNotContain("<script", "<link", "src=", "http://", "https://");
    assertThat(count(html, "<table>")).isEqualTo(count(html, "</table>")).isEqualTo(2);
  }

  @Test
  void writeCreatesTheDirectoryAndBothFiles(@TempDir Path dir) throws Exception {
    var out = dir.resolve("audit");
    var paths = ReportFiles.write(REPORT, out, Instant.parse("2026-11-23T07:00:00Z"));
    assertThat(paths).containsExactly(out.resolve("deals.csv"), out.resolve("deals.html"));
    assertThat(ReportFiles.parseCsv(Files.readString(paths.get(0)))).hasSize(1 + TABLE.rows().size());
    assertThat(Files.readString(paths.get(1))).contains("<h1>Deal audit</h1>");
  }

  @Test
  void theTextFormPrintsAlignedColumnsAndSaysHowManyRowsItLeftOut() {
    var text = ReportFiles.text(REPORT, 2);
    assertThat(text).contains("Deal audit - 2026-Q3").contains("id  name").contains("... 2 more rows in the files");
  }

  @Test
  void aRowWithTheWrongNumberOfValuesIsRefused() {
    assertThatThrownBy(() -> new AuditTable("t", List.of("a", "b"), List.of(List.of("1"))))
        .hasMessageContaining("1 values for 2 columns");
  }

  @Test
  void quartersAndWeeksParseAndDefaultToTheLastCompleteOne() {
    var today = LocalDate.parse("2026-11-23");
    assertThat(Quarter.lastComplete(today)).isEqualTo(Quarter.parse("2026-Q3"));
    assertThat(Quarter.lastComplete(LocalDate.parse("2026-02-01"))).hasToString("2025-Q4");
    assertThat(Quarter.parse("2026-Q3").lastDay()).isEqualTo(LocalDate.parse("2026-09-30"));
    assertThat(IsoWeek.lastComplete(today)).hasToString("2026-W47");
    assertThat(IsoWeek.parse("2026-W47").monday()).isEqualTo(LocalDate.parse("2026-11-16"));
    assertThat(IsoWeek.parse("2021-W01").monday()).isEqualTo(LocalDate.parse("2021-01-04"));
    assertThat(IsoWeek.lastComplete(LocalDate.parse("2027-01-06"))).hasToString("2026-W53");
    assertThatThrownBy(() -> Quarter.parse("2026-Q5")).hasMessageContaining("write it like 2026-Q3");
    assertThatThrownBy(() -> IsoWeek.parse("2025-W53")).hasMessageContaining("W01 to W52");
  }

  @Test
  void fiscalQuartersStartInTheOrgsMonthAndAtMidnightInItsZone() {
    var berlin = java.time.ZoneId.of("Europe/Berlin");
    // a fiscal year from February, named by the year it ends in: FY2027 runs from 1 February 2026
    var q1 = Quarter.parse("FY2027-Q1", 2, berlin);
    assertThat(q1.firstDay()).isEqualTo(LocalDate.parse("2026-02-01"));
    assertThat(q1.lastDay()).isEqualTo(LocalDate.parse("2026-04-30"));
    assertThat(q1.start()).isEqualTo(java.time.Instant.parse("2026-01-31T23:00:00Z"));
    assertThat(q1.end()).isEqualTo(java.time.Instant.parse("2026-04-30T22:00:00Z"));
    assertThat(Quarter.of(LocalDate.parse("2026-01-31"), 2, berlin)).hasToString("FY2026-Q4");
    assertThat(Quarter.of(LocalDate.parse("2026-11-23"), 2, berlin)).hasToString("FY2027-Q4");
    assertThat(Quarter.lastComplete(LocalDate.parse("2026-11-23"), 2, berlin)).hasToString("FY2027-Q3");
    assertThat(Quarter.parse("FY2027-Q4", 2, berlin).lastDay()).isEqualTo(LocalDate.parse("2027-01-31"));
    // 31 December 20:00 in Denver is still the old quarter there, the new one in UTC
    var eve = java.time.Instant.parse("2027-01-01T03:00:00Z");
    assertThat(Quarter.of(eve, 1, java.time.ZoneId.of("America/Denver"))).hasToString("2026-Q4");
    assertThat(Quarter.of(eve, 1, java.time.ZoneOffset.UTC)).hasToString("2027-Q1");
    // a week in Kolkata begins at 18:30 UTC on Sunday
    assertThat(IsoWeek.parse("2026-W47", java.time.ZoneId.of("Asia/Kolkata")).start())
        .isEqualTo(java.time.Instant.parse("2026-11-15T18:30:00Z"));
    assertThatThrownBy(() -> Quarter.parse("2027", 2, berlin)).hasMessageContaining("FY2027-Q3");
  }

  private static int count(String s, String what) {
    return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }
}
