package io.salesos.audit;

import io.salesos.mirror.CanonicalJson;
import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code audit leads}: for the most recent leads old enough to judge (created at least the SLA
 * before now), what happened to each, reconstructed from the mirror: the first touch (a call,
 * email, meeting or visit logged with the lead) and how long it took against the lead SLA of
 * follow-up.yaml, how often the lead changed hands (record_history), and where it went quiet.
 */
public final class LeadAudit {

  /** The follow-up rule whose condition holds the lead SLA. */
  public static final String SLA_RULE = "sla.lead_untouched";
  /** The SLA when follow-up.yaml has no such rule: one working day. */
  public static final int DEFAULT_SLA_HOURS = 24;
  /** Days without a touch after which a lead that was worked has gone quiet (as the status page calls a deal quiet). */
  public static final int QUIET_DAYS = 14;

  private static final Pattern SLA = Pattern.compile("hours_since\\(\\s*contact\\.created_at\\s*\\)\\s*>=?\\s*(\\d+)");
  static final String TOUCH_KINDS = "('visit','call','email','meeting')";
  /** When an activity happened (its start, or when it was logged where the CRM keeps no start). */
  static final String ACTIVITY_AT = CanonicalSchema.activityAtSql("");

  public static final List<String> COLUMNS = List.of("crm", "lead_id", "lead", "company", "owner", "created_at",
      "first_touch_at", "first_touch", "hours_to_first_touch", "sla_hours", "sla", "touches", "owner_changes",
      "owner_history", "last_touch_at", "days_quiet", "went_quiet");

  private final MirrorReads reads;

  public LeadAudit(Database database) {
    this.reads = new MirrorReads(database);
  }

  /** The SLA in hours from the lead rule's condition ({@code hours_since(contact.created_at) >= N}). */
  public static int slaHours(Optional<String> ruleCondition) {
    return ruleCondition.map(SLA::matcher).filter(java.util.regex.Matcher::find)
        .map(m -> Integer.parseInt(m.group(1))).orElse(DEFAULT_SLA_HOURS);
  }

  /** The {@code sample} most recent leads of each source created at least {@code slaHours} before {@code now}. */
  public AuditReport run(List<String> sources, int sample, int slaHours, Instant now) {
    if (sample < 1) {
      throw new IllegalArgumentException("--sample must be at least 1, got " + sample);
    }
    var rows = new ArrayList<List<String>>();
    int never = 0;
    int missed = 0;
    int met = 0;
    int quiet = 0;
    for (var source : sources) {
      var owners = reads.owners(source);
      var leads = new ArrayList<String[]>();
      reads.query("SELECT c.id, TRIM(CONCAT_WS(' ', c.first_name, c.last_name)), COALESCE(NULLIF(c.company, ''), a.name, ''),"
          + " c.owner_id, c.created_at FROM contact c LEFT JOIN account a ON a.source = c.source AND a.id = c.account_id"
          + " AND a.deleted = FALSE WHERE c.source = ? AND c.deleted = FALSE AND LOWER(c.lifecycle) = 'lead'"
          + " AND c.created_at IS NOT NULL AND c.created_at <= ? ORDER BY c.created_at DESC, c.id LIMIT ?", ps -> {
            ps.setString(1, source);
            ps.setTimestamp(2, Timestamp.from(now.minus(Duration.ofHours(slaHours))));
            ps.setInt(3, sample);
          }, rs -> leads.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
              rs.getTimestamp(5).toInstant().toString()}));
      for (var l : leads) {
        var created = Instant.parse(l[4]);
        var touches = touches(source, l[0], now);
        var changes = ownerChanges(source, l[0], owners);
        var first = touches.isEmpty() ? Optional.<Touch>empty() : Optional.of(touches.get(0));
        var last = touches.isEmpty() ? Optional.<Touch>empty() : Optional.of(touches.get(touches.size() - 1));
        var hours = first.map(t -> Duration.between(created, t.at()).toMinutes() / 60.0);
        var due = created.plus(Duration.ofHours(slaHours));
        String sla;
        if (first.isPresent()) {
          sla = first.get().at().isAfter(due) ? "missed" : "met";
        } else {
          sla = !now.isBefore(due) ? "never touched" : "open, not due yet";
        }
        var sinceLast = last.map(t -> Duration.between(t.at(), now).toDays());
        String wentQuiet;
        if (first.isEmpty()) {
          wentQuiet = !now.isBefore(due) ? "before the first touch" : "-";
        } else if (sinceLast.get() >= QUIET_DAYS) {
          wentQuiet = touches.size() == 1 ? "after the first touch (" + last.get().kind() + ")"
              : "after " + touches.size() + " touches, last a " + last.get().kind();
        } else {
          wentQuiet = "-";
        }
        switch (sla) {
          case "never touched" -> never++;
          case "missed" -> missed++;
          case "met" -> met++;
          default -> { }
        }
        if (!wentQuiet.equals("-")) {
          quiet++;
        }
        rows.add(List.of(source, l[0], l[1], l[2], MirrorReads.name(owners, l[3]), l[4],
            first.map(t -> t.at().toString()).orElse(""), first.map(Touch::kind).orElse(""),
            hours.map(h -> String.format(Locale.ROOT, "%.1f", h)).orElse(""), Integer.toString(slaHours), sla,
            Integer.toString(touches.size()), Integer.toString(changes.size()), String.join("; ", changes),
            last.map(t -> t.at().toString()).orElse(""),
            sinceLast.map(d -> Long.toString(d)).orElse(first.isEmpty() ? Long.toString(Duration.between(created, now).toDays()) : ""),
            wentQuiet));
      }
    }
    var findings = new ArrayList<String>();
    int n = rows.size();
    findings.add(n + " recent lead(s) traced; SLA " + slaHours + " hours to the first touch (follow-up.yaml, " + SLA_RULE + ")");
    findings.add(met + " touched within the SLA, " + missed + " touched late, " + never + " never touched ("
        + percent(never, n) + ")");
    findings.add(quiet + " went quiet: never touched past the SLA, or no touch for " + QUIET_DAYS + " days");
    var summary = new AuditTable("Leads by SLA outcome", List.of("sla", "leads", "share"), List.of(
        List.of("met", Integer.toString(met), percent(met, n)),
        List.of("missed", Integer.toString(missed), percent(missed, n)),
        List.of("never touched", Integer.toString(never), percent(never, n)),
        List.of("open, not due yet", Integer.toString(n - met - missed - never), percent(n - met - missed - never, n))));
    return new AuditReport("leads", "Lead follow-up audit", "the " + sample + " most recent leads per connection created by "
        + now.minus(Duration.ofHours(slaHours)).truncatedTo(ChronoUnit.SECONDS) + " (" + slaHours + " hours before "
        + now.truncatedTo(ChronoUnit.SECONDS) + ")",
        findings, new AuditTable("What happened to each lead", COLUMNS, rows), List.of(summary));
  }

  record Touch(Instant at, String kind) {}

  /** Completed calls, emails, meetings and visits a person logged with the lead, oldest first. */
  private List<Touch> touches(String source, String leadId, Instant now) {
    var out = new ArrayList<Touch>();
    reads.query("SELECT " + ACTIVITY_AT + " AS at, kind FROM activity WHERE source = ? AND contact_id = ? AND deleted = FALSE"
        + " AND salesos_key IS NULL AND kind IN " + TOUCH_KINDS + " AND COALESCE(status, 'completed') = 'completed'"
        + " AND " + ACTIVITY_AT + " <= ? ORDER BY at, id", ps -> {
          ps.setString(1, source);
          ps.setString(2, leadId);
          ps.setTimestamp(3, Timestamp.from(now));
        }, rs -> out.add(new Touch(rs.getTimestamp(1).toInstant(), rs.getString(2))));
    return out;
  }

  /** Each time the lead's owner changed across its pulled versions, as "FROM -> TO (date)". */
  private List<String> ownerChanges(String source, String leadId, Map<String, MirrorReads.Owner> owners) {
    var out = new ArrayList<String>();
    var previous = new HashMap<String, String>();
    reads.query("SELECT crm_modified_at, fields FROM record_history WHERE source = ? AND canonical_object = 'contact'"
        + " AND record_id = ? AND deleted = FALSE ORDER BY crm_modified_at, seq", ps -> {
          ps.setString(1, source);
          ps.setString(2, leadId);
        }, rs -> {
          var owner = CanonicalJson.readStrings(rs.getString(2)).get("owner_id");
          if (owner == null) {
            return;
          }
          var before = previous.put("owner", owner);
          if (before != null && !before.equals(owner)) {
            out.add(MirrorReads.name(owners, before) + " -> " + MirrorReads.name(owners, owner) + " ("
                + rs.getTimestamp(1).toInstant().toString().substring(0, 10) + ")");
          }
        });
    return out;
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "-" : Math.round(100.0 * part / whole) + "%";
  }
}
