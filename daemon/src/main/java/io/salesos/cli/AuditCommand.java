package io.salesos.cli;

import io.salesos.audit.AuditReport;
import io.salesos.audit.CaptureAudit;
import io.salesos.audit.ForecastAudit;
import io.salesos.audit.IsoWeek;
import io.salesos.audit.LeadAudit;
import io.salesos.audit.Quarter;
import io.salesos.audit.ReportFiles;
import io.salesos.audit.SlippedAudit;
import io.salesos.pipeline.LiveRuleSet;
import io.salesos.mirror.Database;
import io.salesos.rules.RuleSet;
import io.salesos.runtime.SalesosRuntime;
import io.salesos.config.SalesosConfig;
import io.salesos.mapping.Mapping;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The audits from the field: each reads the mirror, prints a summary table and writes NAME.csv and NAME.html. */
@Command(name = "audit", mixinStandardHelpOptions = true,
    description = "Audit what the CRM's history shows: lead follow-up, slipped deals, forecast accuracy, activity capture.",
    subcommands = {AuditCommand.Leads.class, AuditCommand.Slipped.class, AuditCommand.Forecast.class,
      AuditCommand.Capture.class})
final class AuditCommand implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Options every audit takes. */
  static final class Common {
    @Mixin
    ConfigOption config;

    @Option(names = "--connection", description = "only this connection (default: every connection)")
    String connection;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "audit",
        description = "where NAME.csv and NAME.html go (default: ${DEFAULT-VALUE}/ in the working directory)")
    Path out;

    @Option(names = "--today", paramLabel = "YYYY-MM-DD",
        description = "audit as if today were this day, from its start (default: now)")
    LocalDate today;

    @Option(names = "--rows", defaultValue = "25", description = "rows of each table to print (the files hold all; default: ${DEFAULT-VALUE})")
    int rows;

    /** {@code --quarter} as a fiscal quarter of the org, or the last complete one. */
    Quarter quarter(String text, Clock clock, OrgTime org) {
      return text != null ? Quarter.parse(text, org.fiscalYearStartMonth(), org.zone())
          : Quarter.lastComplete(day(clock, org), org.fiscalYearStartMonth(), org.zone());
    }

    /** Now, or the start of {@code --today} in the org's zone. */
    Instant now(Clock clock, OrgTime org) {
      return today != null ? today.atStartOfDay(org.zone()).toInstant() : clock.instant();
    }

    /** Today's date in the org's zone. */
    LocalDate day(Clock clock, OrgTime org) {
      return LocalDate.ofInstant(now(clock, org), org.zone());
    }

    /**
     * The fiscal year and zones the audited connections count quarters and weeks in: each one's CRM
     * calendar (Salesforce's Organization; HubSpot's configured fiscal year and portal zone) and the
     * rules' routing.yaml. Each connection's days begin in its own zone; connections whose fiscal
     * years start in different months are audited one at a time (--connection), since one report
     * cannot hold two kinds of quarter.
     */
    OrgTime orgTime(Database db, RuleSet rules, List<String> sources) {
      var calendars = new io.salesos.sync.CrmCalendars(db, Clock.systemUTC());
      var months = new java.util.LinkedHashMap<String, Integer>();
      var zones = new java.util.LinkedHashMap<String, java.time.ZoneId>();
      for (var s : sources) {
        var crm = calendars.of(s).map(io.salesos.sync.CrmCalendars.Stored::calendar);
        months.put(s, io.salesos.rules.OrgCalendar.fiscalYearStartMonth(rules.routing(), crm));
        zones.put(s, io.salesos.rules.OrgCalendar.orgZone(rules.routing(), crm));
      }
      if (new java.util.HashSet<>(months.values()).size() > 1) {
        throw new IllegalArgumentException("the connections' fiscal years start in different months " + months
            + "; audit one at a time with --connection NAME");
      }
      return new OrgTime(months.values().iterator().next(), zones);
    }

    /**
     * Opens the deployment's database (the audits read the mirror only and never connect to a
     * CRM), runs the audit over the chosen connections, prints it and writes its files.
     */
    int run(Clock clock, Audit audit) {
      return run(clock, (db, rules, sources, org) -> audit.run(db, rules, sources));
    }

    int run(Clock clock, TimedAudit audit) {
      var cfg = config.load();
      var names = cfg.connections().stream().map(SalesosConfig.ConnectionConfig::name).toList();
      var sources = names.stream().filter(n -> connection == null || connection.equals(n)).toList();
      if (sources.isEmpty()) {
        throw new IllegalArgumentException("no connection named '" + connection + "' in the configuration; connections: " + names);
      }
      var mappings = cfg.connections().stream().map(c -> Mapping.load(c.mapping())).toList();
      try (var db = SalesosRuntime.openDatabase(cfg, System::getenv)) {
        // the rules as they run: checked against each connection's stages as last mirrored
        var rules = LiveRuleSet.load(cfg.rulesDir(), LiveRuleSet.mirroredVocabulary(db, names, mappings));
        var report = audit.run(db, rules, sources, orgTime(db, rules, sources));
        System.out.print(ReportFiles.text(report, rows));
        for (var p : ReportFiles.write(report, out, clock.instant())) {
          System.out.println("wrote " + p.toAbsolutePath().normalize());
        }
        return 0;
      }
    }
  }

  /** One audit over an open mirror. */
  interface Audit {
    AuditReport run(Database database, RuleSet rules, List<String> sources);
  }

  /** One audit over an open mirror that counts days, weeks or quarters in the org's calendar. */
  interface TimedAudit {
    AuditReport run(Database database, RuleSet rules, List<String> sources, OrgTime org);
  }

  /**
   * The month the audited orgs' fiscal year starts, and the zone each connection's days begin in;
   * {@link #zone()}, the first connection's, dates {@code --today} and the default period.
   */
  record OrgTime(int fiscalYearStartMonth, java.util.Map<String, java.time.ZoneId> zones) {
    OrgTime {
      zones = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(zones));
      if (zones.isEmpty()) {
        throw new IllegalArgumentException("no connection to audit");
      }
    }

    java.time.ZoneId zone() {
      return zones.values().iterator().next();
    }

    java.time.ZoneId zoneOf(String source) {
      return zones.getOrDefault(source, zone());
    }
  }

  @Command(name = "leads", mixinStandardHelpOptions = true,
      description = "For recent leads: first touch, time to it against the lead SLA, owner changes, where each went quiet.")
  static final class Leads implements java.util.concurrent.Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--sample", defaultValue = "10", description = "how many of the most recent leads (default: ${DEFAULT-VALUE})")
    int sample;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
      return common.run(clock, (db, rules, sources, org) -> new LeadAudit(db).run(sources, sample,
          LeadAudit.slaHours(rules.followUpCondition(LeadAudit.SLA_RULE)), common.now(clock, org)));
    }
  }

  @Command(name = "slipped", mixinStandardHelpOptions = true,
      description = "A quarter's lost and slipped deals against the owner's touches in the 14 days before close.")
  static final class Slipped implements java.util.concurrent.Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--quarter", paramLabel = "YYYY-Qn", description = "e.g. 2026-Q3, or FY2027-Q1 for a fiscal year from another month (default: the last complete quarter of the org's fiscal year)")
    String quarter;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
      return common.run(clock, (db, rules, sources, org) -> new SlippedAudit(db).run(sources,
          common.quarter(quarter, clock, org), org::zoneOf));
    }
  }

  @Command(name = "forecast", mixinStandardHelpOptions = true,
      description = "Week by week, the called and the evidence-adjusted forecast against what closed; which was closer.")
  static final class Forecast implements java.util.concurrent.Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--quarter", paramLabel = "YYYY-Qn", description = "e.g. 2026-Q3, or FY2027-Q1 for a fiscal year from another month (default: the last complete quarter of the org's fiscal year)")
    String quarter;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
      return common.run(clock, (db, rules, sources, org) -> new ForecastAudit(db).run(sources, common.quarter(quarter, clock, org),
          common.now(clock, org), org::zoneOf));
    }
  }

  @Command(name = "capture", mixinStandardHelpOptions = true,
      description = "Per rep, activities logged in a week against the cadence of rules/cadence.yaml: the capture gap.")
  static final class Capture implements java.util.concurrent.Callable<Integer> {
    @Mixin
    Common common;

    @Option(names = "--week", paramLabel = "YYYY-Www", description = "e.g. 2026-W47 (default: the last complete week)")
    String week;

    Clock clock = Clock.systemUTC();

    @Override
    public Integer call() {
      return common.run(clock, (db, rules, sources, org) -> new CaptureAudit(db).run(sources,
          week != null ? IsoWeek.parse(week, org.zone()) : IsoWeek.lastComplete(common.day(clock, org), org.zone()),
          rules.cadence(), org::zoneOf));
    }
  }
}
