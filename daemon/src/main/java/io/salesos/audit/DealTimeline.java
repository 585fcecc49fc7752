package io.salesos.audit;

import io.salesos.mirror.CanonicalJson;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Each deal of one source as it stood over time: its stage, amount, close date and forecast
 * category after every change the mirror knows of, from the CRM's own stage history (Salesforce
 * OpportunityHistory, mirrored as stage_history) and from record_history (every version salesos
 * pulled). The slipped audit reads close-date moves from it; the forecast audit rebuilds past calls.
 */
final class DealTimeline {

  /**
   * A deal's values from {@code at} on; {@code amount} is empty when the stored amount is not a
   * number, so a sum can leave it out and say so rather than count it as 0.
   */
  record State(Instant at, String stage, Optional<BigDecimal> amount, Optional<LocalDate> closeDate, String category,
      boolean closed, boolean won) {}

  /** One deal now and its states, oldest first. */
  record Deal(String id, String name, String ownerId, Optional<String> accountId, State current, List<State> states) {

    /** How the deal stood at {@code t}: the newest state at or before it, if the deal existed then. */
    Optional<State> asOf(Instant t) {
      State found = null;
      for (var s : states) {
        if (s.at().isAfter(t)) {
          break;
        }
        found = s;
      }
      return Optional.ofNullable(found);
    }
  }

  private DealTimeline() {}

  /** Every live deal of {@code source}, by id. */
  static Map<String, Deal> load(MirrorReads reads, String source) {
    var current = new LinkedHashMap<String, Object[]>();
    reads.query("SELECT id, name, owner_id, account_id, stage, amount, close_date, forecast_category, is_closed, is_won,"
        + " COALESCE(stage_entered_at, crm_modified_at) FROM deal WHERE source = ? AND deleted = FALSE ORDER BY id",
        ps -> ps.setString(1, source), rs -> {
          var stage = nz(rs.getString(5));
          var state = new State(MirrorReads.instant(rs, 11).orElse(Instant.EPOCH), stage, Optional.of(MirrorReads.money(rs, 6)),
              MirrorReads.date(rs, 7), nz(rs.getString(8)), flag(rs.getObject(9), closedStage(stage)),
              flag(rs.getObject(10), wonStage(stage)));
          current.put(rs.getString(1), new Object[] {nz(rs.getString(2)), nz(rs.getString(3)),
              Optional.ofNullable(rs.getString(4)), state});
        });
    var states = new HashMap<String, List<State>>();
    reads.query("SELECT deal_id, changed_at, stage, amount, close_date, forecast_category FROM stage_history"
        + " WHERE source = ? AND deleted = FALSE AND changed_at IS NOT NULL", ps -> ps.setString(1, source), rs -> {
          var stage = nz(rs.getString(3));
          states.computeIfAbsent(nz(rs.getString(1)), k -> new ArrayList<>()).add(new State(
              MirrorReads.instant(rs, 2).orElseThrow(), stage, Optional.of(MirrorReads.money(rs, 4)), MirrorReads.date(rs, 5),
              nz(rs.getString(6)), closedStage(stage), wonStage(stage)));
        });
    reads.query("SELECT record_id, crm_modified_at, fields FROM record_history WHERE source = ? AND canonical_object = 'deal'"
        + " AND deleted = FALSE ORDER BY seq", ps -> ps.setString(1, source), rs -> {
          var f = CanonicalJson.readStrings(rs.getString(3));
          var stage = nz(f.get("stage"));
          states.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new State(
              rs.getTimestamp(2).toInstant(), stage, amount(f.get("amount")), date(f.get("close_date")),
              nz(f.get("forecast_category")), bool(f.get("is_closed")).orElse(closedStage(stage)),
              bool(f.get("is_won")).orElse(wonStage(stage))));
        });
    var out = new LinkedHashMap<String, Deal>();
    current.forEach((id, v) -> {
      var list = new ArrayList<>(states.getOrDefault(id, List.of()));
      if (list.isEmpty()) {
        list.add((State) v[3]);
      }
      list.sort(Comparator.comparing(State::at));
      @SuppressWarnings("unchecked")
      var account = (Optional<String>) v[2];
      out.put(id, new Deal(id, (String) v[0], (String) v[1], account, (State) v[3], List.copyOf(list)));
    });
    return out;
  }

  static boolean closedStage(String stage) {
    var s = stage.toLowerCase(Locale.ROOT);
    return s.contains("closed") || s.contains("won") || s.contains("lost");
  }

  static boolean wonStage(String stage) {
    return stage.toLowerCase(Locale.ROOT).contains("won");
  }

  private static boolean flag(Object v, boolean fallback) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.intValue() != 0;
    }
    return fallback;
  }

  private static Optional<Boolean> bool(String v) {
    return v == null ? Optional.empty() : Optional.of(v.equalsIgnoreCase("true") || v.equals("1"));
  }

  /** An amount from a record_history version: none stored is 0, one that is not a number is empty (a bad amount). */
  static Optional<BigDecimal> amount(String v) {
    try {
      return Optional.of(v == null || v.isBlank() ? BigDecimal.ZERO.setScale(2) : new BigDecimal(v.strip()).setScale(2, RoundingMode.HALF_UP));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<LocalDate> date(String v) {
    if (v == null || v.length() < 10) {
      return Optional.empty();
    }
    try {
      return Optional.of(LocalDate.parse(v.substring(0, 10)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
