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

  /**
   * One deal now and its states, oldest first; {@code noRate} names the currency of an amount
   * (now or in a past state) that could not be converted to the corporate currency (that state's
   * amount is then empty).
   */
  record Deal(String id, String name, String ownerId, Optional<String> accountId, State current, List<State> states,
      Optional<String> noRate) {

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

  /** Deals read (with their history) per page: an audit holds one page of timelines, never the whole org's. */
  static final int PAGE = 1_000;

  /** Every live deal of {@code source}, by id (for small orgs and tests; the audits stream with {@link #forEach}). */
  static Map<String, Deal> load(MirrorReads reads, String source) {
    var out = new LinkedHashMap<String, Deal>();
    forEach(reads, source, d -> out.put(d.id(), d));
    return out;
  }

  /**
   * Hands every live deal of {@code source} to {@code each}, in id order, reading the deals, their
   * stage history and their record_history versions {@link #PAGE} deals at a time.
   */
  static void forEach(MirrorReads reads, String source, java.util.function.Consumer<Deal> each) {
    all(reads, source).forEach(each);
  }

  /** Every live deal of {@code source} in id order, read a page at a time as the iteration reaches it. */
  static Iterable<Deal> all(MirrorReads reads, String source) {
    return () -> new java.util.Iterator<>() {
      private java.util.Iterator<Deal> page = java.util.Collections.emptyIterator();
      private String after = "";
      private boolean done;

      @Override
      public boolean hasNext() {
        while (!page.hasNext() && !done) {
          var next = page(reads, source, after);
          done = next.size() < PAGE;
          if (!next.isEmpty()) {
            after = next.get(next.size() - 1).id();
          }
          page = next.iterator();
        }
        return page.hasNext();
      }

      @Override
      public Deal next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        return page.next();
      }
    };
  }

  /** The live deals of {@code source} after {@code after} in id order, at most {@link #PAGE}, with their timelines. */
  private static List<Deal> page(MirrorReads reads, String source, String after) {
    var out = new ArrayList<Deal>();
    {
      // amounts in the corporate currency: where the mapping reads amounts as given
      // (deal.amount_original), past amounts are converted with the CRM's rates as deal.amount is
      // (stage_history amounts are in the deal's currency)
      boolean converts = reads.hasColumn("deal", "amount_original") && reads.hasColumn("deal", "currency");
      var rates = converts ? new io.salesos.currency.CurrencyStore(reads.database()).load(source).map(io.salesos.currency.CurrencyRates::new)
          : Optional.<io.salesos.currency.CurrencyRates>empty();
      var today = LocalDate.now(java.time.ZoneOffset.UTC);
      var noRate = new HashMap<String, String>();
      var currencyOf = new HashMap<String, String>();
      var current = new LinkedHashMap<String, Object[]>();
      var from = after;
      reads.query("SELECT id, name, owner_id, account_id, stage, amount, close_date, forecast_category, is_closed, is_won,"
          + " COALESCE(stage_entered_at, crm_modified_at)" + (converts ? ", amount_original, currency" : "")
          + " FROM deal WHERE source = ? AND deleted = FALSE AND id > ?"
          + " ORDER BY id LIMIT " + PAGE,
          ps -> {
            ps.setString(1, source);
            ps.setString(2, from);
          }, rs -> {
            var stage = nz(rs.getString(5));
            Optional<BigDecimal> amount = Optional.of(MirrorReads.money(rs, 6));
            if (converts) {
              currencyOf.put(rs.getString(1), nz(rs.getString(13)));
              if (rs.getBigDecimal(6) == null && rs.getBigDecimal(12) != null) {
                amount = Optional.empty();
                noRate.put(rs.getString(1), rs.getString(13) == null ? "(none)" : rs.getString(13));
              }
            }
            var state = new State(MirrorReads.instant(rs, 11).orElse(Instant.EPOCH), stage, amount,
                MirrorReads.date(rs, 7), nz(rs.getString(8)), flag(rs.getObject(9), closedStage(stage)),
                flag(rs.getObject(10), wonStage(stage)));
            current.put(rs.getString(1), new Object[] {nz(rs.getString(2)), nz(rs.getString(3)),
                Optional.ofNullable(rs.getString(4)), state});
          });
      if (current.isEmpty()) {
        return out;
      }
      var ids = List.copyOf(current.keySet());
      var marks = "?,".repeat(ids.size() - 1) + "?";
      MirrorReads.Binder bind = ps -> {
        ps.setString(1, source);
        for (int i = 0; i < ids.size(); i++) {
          ps.setString(2 + i, ids.get(i));
        }
      };
      var states = new HashMap<String, List<State>>();
      reads.query("SELECT deal_id, changed_at, stage, amount, close_date, forecast_category FROM stage_history"
          + " WHERE source = ? AND deal_id IN (" + marks + ") AND deleted = FALSE AND changed_at IS NOT NULL ORDER BY crm_object, id",
          bind, rs -> {
            var stage = nz(rs.getString(3));
            var dealId = nz(rs.getString(1));
            var close = MirrorReads.date(rs, 5);
            Optional<BigDecimal> amount = Optional.of(MirrorReads.money(rs, 4));
            if (converts) {
              amount = converted(amount.get(), currencyOf.getOrDefault(dealId, ""), close, closedStage(stage), rates, today,
                  dealId, noRate);
            }
            states.computeIfAbsent(dealId, k -> new ArrayList<>()).add(new State(
                MirrorReads.instant(rs, 2).orElseThrow(), stage, amount, close,
                nz(rs.getString(6)), closedStage(stage), wonStage(stage)));
          });
      reads.query("SELECT record_id, crm_modified_at, fields FROM record_history WHERE source = ? AND canonical_object = 'deal'"
          + " AND record_id IN (" + marks + ") AND deleted = FALSE ORDER BY seq", bind, rs -> {
            var f = CanonicalJson.readStrings(rs.getString(3));
            var stage = nz(f.get("stage"));
            var close = date(f.get("close_date"));
            var closed = bool(f.get("is_closed")).orElse(closedStage(stage));
            var amount = amount(f.get("amount"));
            // a mapping that reads amounts as given stores no amount in a version: convert the one as given
            if (f.get("amount") == null && f.get("amount_original") != null) {
              amount = amount(f.get("amount_original"));
              if (amount.isPresent()) {
                amount = converted(amount.get(), nz(f.get("currency")), close, closed, rates, today, rs.getString(1), noRate);
              }
            }
            states.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new State(
                rs.getTimestamp(2).toInstant(), stage, amount, close,
                nz(f.get("forecast_category")), closed,
                bool(f.get("is_won")).orElse(wonStage(stage))));
          });
      current.forEach((id, v) -> {
        var list = new ArrayList<>(states.getOrDefault(id, List.of()));
        if (list.isEmpty()) {
          list.add((State) v[3]);
        }
        list.sort(Comparator.comparing(State::at));
        @SuppressWarnings("unchecked")
        var account = (Optional<String>) v[2];
        out.add(new Deal(id, (String) v[0], (String) v[1], account, (State) v[3], List.copyOf(list),
            Optional.ofNullable(noRate.get(id))));
      });
    }
    return out;
  }

  /** An amount as given converted as deal.amount is; empty (and the deal noted) when its currency has no rate. */
  private static Optional<BigDecimal> converted(BigDecimal original, String currency, Optional<LocalDate> close, boolean closed,
      Optional<io.salesos.currency.CurrencyRates> rates, LocalDate today, String dealId, Map<String, String> noRate) {
    if (rates.isEmpty()) {
      if (currency.isBlank()) {
        return Optional.of(original);
      }
      noRate.putIfAbsent(dealId, currency);
      return Optional.empty();
    }
    var result = rates.get().convert(original, Optional.of(currency), close, closed, today);
    if (result instanceof io.salesos.currency.CurrencyRates.Conversion.Converted ok) {
      return Optional.of(ok.amount());
    }
    noRate.putIfAbsent(dealId, ((io.salesos.currency.CurrencyRates.Conversion.NoRate) result).currency());
    return Optional.empty();
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
