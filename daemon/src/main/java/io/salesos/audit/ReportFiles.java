package io.salesos.audit;

import io.salesos.html.Html;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes an audit as {@code NAME.csv} (RFC 4180, the detail table) and {@code NAME.html} (one
 * self-contained page: findings, summaries and detail, no external assets), and renders it as a
 * plain-text table for the terminal.
 */
public final class ReportFiles {

  /** A cell the audits wrote as a number (or the lone "-" for none), see {@link #isFormula}. */
  private static final Pattern NUMBER = Pattern.compile("-|-?[0-9]+(\\.[0-9]+)?%?");

  private ReportFiles() {}

  /** Writes both files into {@code dir} (created if missing) and returns their paths, CSV first. */
  public static List<Path> write(AuditReport report, Path dir, Instant generatedAt) {
    try {
      Files.createDirectories(dir);
      var csv = dir.resolve(report.name() + ".csv");
      var html = dir.resolve(report.name() + ".html");
      Files.writeString(csv, csv(report.detail()), StandardCharsets.UTF_8);
      Files.writeString(html, html(report, generatedAt), StandardCharsets.UTF_8);
      return List.of(csv, html);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the " + report.name() + " audit to " + dir + ": " + e.getMessage()
          + "; give a writable directory with --out DIR", e);
    }
  }

  /**
   * The table as CSV: a header line, then one line per row, CRLF line ends, fields quoted where needed,
   * text that a spreadsheet would run as a formula prefixed with {@code '}.
   */
  public static String csv(AuditTable table) {
    var sb = new StringBuilder();
    line(sb, table.columns());
    table.rows().forEach(r -> line(sb, r));
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      var v = values.get(i);
      if (isFormula(v)) {
        // OWASP's advice: a leading quote makes spreadsheets show the cell as text, and the whole cell is quoted
        sb.append("\"'").append(v.replace("\"", "\"\"")).append('"');
      } else if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
        sb.append('"').append(v.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(v);
      }
    }
    sb.append("\r\n");
  }

  /**
   * Whether a spreadsheet opening the CSV would take the cell for a formula (CSV injection: a CRM
   * string such as {@code =HYPERLINK(...)} or {@code @SUM(...)} typed by anyone who can edit a record).
   * Cells are all strings here, so numbers are told apart by their whole shape: the audits write
   * amounts, counts and shares as plain decimals ({@code BigDecimal.toPlainString}, {@code %.1f},
   * {@code 12%}) and a lone {@code -} for "none", and a cell that is exactly that carries no formula,
   * so {@code -1200.00} stays a number; any other cell starting with {@code = + - @}, tab or CR is text.
   */
  static boolean isFormula(String v) {
    if (v.isEmpty() || NUMBER.matcher(v).matches()) {
      return false;
    }
    char c = v.charAt(0);
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
  }

  /** Parses CSV as {@link #csv} writes it (quoted fields, doubled quotes, CRLF or LF), header included. */
  public static List<List<String>> parseCsv(String text) {
    var rows = new ArrayList<List<String>>();
    var row = new ArrayList<String>();
    var field = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
        continue;
      }
      switch (c) {
        case '"' -> {
          quoted = true;
          any = true;
        }
        case ',' -> {
          row.add(field.toString());
          field.setLength(0);
          any = true;
        }
        case '\r' -> { }
        case '\n' -> {
          row.add(field.toString());
          rows.add(row);
          row = new ArrayList<>();
          field.setLength(0);
          any = false;
        }
        default -> {
          field.append(c);
          any = true;
        }
      }
    }
    if (any) {
      row.add(field.toString());
      rows.add(row);
    }
    return rows;
  }

  /** The report as one HTML page with its styles inline. */
  public static String html(AuditReport report, Instant generatedAt) {
    var sb = new StringBuilder(16_384);
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
        .append(Html.esc(report.title() + " - " + report.period())).append("</title>\n<style>")
        .append("body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#1d2430}")
        .append("h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.6em 0 .4em}")
        .append(".meta{color:#5b6472;margin:0 0 1em}ul.findings{padding-left:1.2em}")
        .append("table{border-collapse:collapse;margin:.4em 0 1em}th,td{padding:.25em .6em;border-bottom:1px solid #e3e6ea;")
        .append("text-align:left;vertical-align:top}th{background:#f4f6f8;position:sticky;top:0}")
        .append("td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr:hover td{background:#fafbfc}")
        .append("</style></head><body>\n<h1>").append(Html.esc(report.title())).append("</h1>\n<p class=\"meta\">")
        .append(Html.esc(report.period())).append(" &middot; generated ").append(Html.esc(generatedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()))
        .append(" &middot; ").append(report.detail().rows().size()).append(" rows (").append(Html.esc(report.name()))
        .append(".csv)</p>\n");
    if (!report.findings().isEmpty()) {
      sb.append("<ul class=\"findings\">\n");
      report.findings().forEach(f -> sb.append("<li>").append(Html.esc(f)).append("</li>\n"));
      sb.append("</ul>\n");
    }
    for (var t : report.summaries()) {
      table(sb, t);
    }
    table(sb, report.detail());
    sb.append("</body></html>\n");
    return sb.toString();
  }

  private static void table(StringBuilder sb, AuditTable t) {
    var numeric = numericColumns(t);
    sb.append("<h2>").append(Html.esc(t.title())).append("</h2>\n<table>\n<thead><tr>");
    for (int i = 0; i < t.columns().size(); i++) {
      sb.append(numeric[i] ? "<th class=\"n\">" : "<th>").append(Html.esc(t.columns().get(i))).append("</th>");
    }
    sb.append("</tr></thead>\n<tbody>\n");
    for (var r : t.rows()) {
      sb.append("<tr>");
      for (int i = 0; i < r.size(); i++) {
        sb.append(numeric[i] ? "<td class=\"n\">" : "<td>").append(Html.esc(r.get(i))).append("</td>");
      }
      sb.append("</tr>\n");
    }
    sb.append("</tbody>\n</table>\n");
  }

  private static boolean[] numericColumns(AuditTable t) {
    var out = new boolean[t.columns().size()];
    for (int i = 0; i < out.length; i++) {
      int col = i;
      out[i] = !t.rows().isEmpty() && t.rows().stream().map(r -> r.get(col))
          .allMatch(v -> v.isEmpty() || v.matches("-?[0-9][0-9.,]*%?"));
    }
    return out;
  }

  /** The report for a terminal: title, findings, then each summary table and the detail (first {@code maxRows} rows). */
  public static String text(AuditReport report, int maxRows) {
    var sb = new StringBuilder();
    sb.append(report.title()).append(" - ").append(report.period()).append('\n');
    report.findings().forEach(f -> sb.append("  ").append(f).append('\n'));
    for (var t : report.summaries()) {
      sb.append('\n');
      textTable(sb, t, maxRows);
    }
    sb.append('\n');
    textTable(sb, report.detail(), maxRows);
    return sb.toString();
  }

  private static void textTable(StringBuilder sb, AuditTable t, int maxRows) {
    sb.append(t.title()).append('\n');
    var shown = t.rows().subList(0, Math.min(maxRows, t.rows().size()));
    var widths = new int[t.columns().size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = t.columns().get(i).length();
      for (var r : shown) {
        widths[i] = Math.min(40, Math.max(widths[i], r.get(i).length()));
      }
    }
    var numeric = numericColumns(t);
    textRow(sb, t.columns(), widths, numeric);
    for (int i = 0; i < widths.length; i++) {
      sb.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
    }
    sb.append('\n');
    shown.forEach(r -> textRow(sb, r, widths, numeric));
    if (shown.size() < t.rows().size()) {
      sb.append("... ").append(t.rows().size() - shown.size()).append(" more rows in the files\n");
    }
  }

  private static void textRow(StringBuilder sb, List<String> values, int[] widths, boolean[] numeric) {
    var line = new StringBuilder();
    for (int i = 0; i < values.size(); i++) {
      var v = values.get(i).replace('\n', ' ');
      if (v.length() > widths[i]) {
        v = v.substring(0, widths[i] - 1) + "~";
      }
      line.append(i == 0 ? "" : "  ");
      line.append(numeric[i] ? " ".repeat(widths[i] - v.length()) + v : v + " ".repeat(widths[i] - v.length()));
    }
    sb.append(line.toString().stripTrailing()).append('\n');
  }
}
