package io.salesos.audit;

import java.util.List;
import java.util.Objects;

/**
 * What one audit found: its file name ({@code leads}, {@code slipped} ...), a title, the period it
 * covers, findings in sentences, the detail table (the CSV) and any summary tables (HTML and stdout).
 */
public record AuditReport(String name, String title, String period, List<String> findings, AuditTable detail,
    List<AuditTable> summaries) {

  public AuditReport {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(detail, "detail");
    findings = List.copyOf(findings);
    summaries = List.copyOf(summaries);
  }
}
