package io.salesos.currency;

import io.salesos.mirror.Database;
import io.salesos.spi.CurrencySettings;
import io.salesos.spi.CurrencySettings.DatedBy;
import io.salesos.spi.CurrencySettings.Quote;
import io.salesos.spi.CurrencySettings.Rate;
import java.sql.Date;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code currency_rate} table: each connection's currencies and exchange rates as its CRM last
 * reported them, replaced whole at each refresh. Also answers which mirrored deals could not be
 * converted, for the status page, the metrics and the audits.
 */
public final class CurrencyStore {

  private final Database database;

  public CurrencyStore(Database database) {
    this.database = database;
  }

  /** The stored currencies of {@code source}, or empty when none are stored (a single-currency org, or not read yet). */
  public Optional<CurrencySettings> load(String source) {
    try (var c = database.connection(); var ps = c.prepareStatement("SELECT corporate, dated_by, iso_code, rate, quote,"
        + " start_date, next_start_date, active, decimal_places FROM currency_rate WHERE source = ? ORDER BY id")) {
      ps.setString(1, source);
      String corporate = null;
      DatedBy datedBy = null;
      var rates = new ArrayList<Rate>();
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          corporate = rs.getString(1);
          datedBy = DatedBy.valueOf(rs.getString(2));
          rates.add(new Rate(rs.getString(3), rs.getBigDecimal(4).stripTrailingZeros(), Quote.valueOf(rs.getString(5)),
              Optional.ofNullable(rs.getObject(6, LocalDate.class)), Optional.ofNullable(rs.getObject(7, LocalDate.class)),
              rs.getBoolean(8), rs.getInt(9)));
        }
      }
      return corporate == null ? Optional.empty() : Optional.of(new CurrencySettings(corporate, rates, datedBy));
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the currency rates of " + source + ": " + e.getMessage(), e);
    }
  }

  /** The corporate currency of {@code source}: the currency its amounts are in; empty when its CRM never named one. */
  public Optional<String> corporate(String source) {
    try (var c = database.connection()) {
      return corporate(c, source);
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the corporate currency of " + source + ": " + e.getMessage(), e);
    }
  }

  /** {@link #corporate(String)} on a connection the caller holds. */
  public static Optional<String> corporate(java.sql.Connection c, String source) throws SQLException {
    try (var ps = c.prepareStatement("SELECT corporate FROM currency_rate WHERE source = ? LIMIT 1")) {
      ps.setString(1, source);
      try (var rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Replaces the stored currencies of {@code source} (empty: a single-currency org); true when they changed. */
  public boolean save(String source, Optional<CurrencySettings> settings, Instant at) {
    var before = load(source);
    if (same(before, settings)) {
      return false;
    }
    try (var c = database.connection()) {
      c.setAutoCommit(false);
      try {
        try (var del = c.prepareStatement("DELETE FROM currency_rate WHERE source = ?")) {
          del.setString(1, source);
          del.executeUpdate();
        }
        if (settings.isPresent()) {
          var s = settings.get();
          try (var ins = c.prepareStatement("INSERT INTO currency_rate (source, corporate, dated_by, iso_code, rate, quote,"
              + " start_date, next_start_date, active, decimal_places, refreshed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
            for (var r : s.rates()) {
              ins.setString(1, source);
              ins.setString(2, s.corporate());
              ins.setString(3, s.datedBy().name());
              ins.setString(4, r.isoCode());
              ins.setBigDecimal(5, r.rate());
              ins.setString(6, r.quote().name());
              ins.setDate(7, r.start().map(Date::valueOf).orElse(null));
              ins.setDate(8, r.nextStart().map(Date::valueOf).orElse(null));
              ins.setBoolean(9, r.active());
              ins.setInt(10, r.decimalPlaces());
              ins.setTimestamp(11, Timestamp.from(at));
              ins.addBatch();
            }
            if (s.rates().isEmpty()) {
              // the corporate currency alone still says which currency the amounts are in
              ins.setString(1, source);
              ins.setString(2, s.corporate());
              ins.setString(3, s.datedBy().name());
              ins.setString(4, s.corporate());
              ins.setBigDecimal(5, java.math.BigDecimal.ONE);
              ins.setString(6, Quote.UNITS_PER_CORPORATE.name());
              ins.setDate(7, null);
              ins.setDate(8, null);
              ins.setBoolean(9, true);
              ins.setInt(10, 2);
              ins.setTimestamp(11, Timestamp.from(at));
              ins.addBatch();
            }
            ins.executeBatch();
          }
        }
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not store the currency rates of " + source + ": " + e.getMessage(), e);
    }
  }

  private static boolean same(Optional<CurrencySettings> a, Optional<CurrencySettings> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return a.isEmpty() && b.isEmpty();
    }
    var x = a.get();
    var y = b.get();
    if (!x.corporate().equals(y.corporate()) || x.datedBy() != y.datedBy()) {
      return false;
    }
    return key(x.rates()).equals(key(y.rates())) || y.rates().isEmpty() && x.rates().size() == 1
        && x.rates().get(0).isoCode().equals(x.corporate());
  }

  private static List<String> key(List<Rate> rates) {
    return rates.stream().map(r -> r.isoCode() + "|" + r.rate().stripTrailingZeros().toPlainString() + "|" + r.quote()
        + "|" + r.start() + "|" + r.nextStart() + "|" + r.active() + "|" + r.decimalPlaces()).sorted().toList();
  }

  /**
   * The live deals of {@code source} whose amount could not be converted (an amount as given, in a
   * currency with no rate), counted per currency: left out of every total. Empty when the mirror
   * holds no amounts as given (a mapping that reads amounts in one currency).
   */
  public Map<String, Integer> unconverted(String source) {
    var out = new TreeMap<String, Integer>();
    try (var c = database.connection()) {
      if (!hasColumn(c, "deal", "amount_original") || !hasColumn(c, "deal", "currency")) {
        return out;
      }
      try (var ps = c.prepareStatement("SELECT COALESCE(currency, ''), COUNT(*) FROM deal WHERE source = ? AND deleted = FALSE"
          + " AND amount IS NULL AND amount_original IS NOT NULL GROUP BY COALESCE(currency, '')")) {
        ps.setString(1, source);
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getString(1).isEmpty() ? "(none)" : rs.getString(1), rs.getInt(2));
          }
        }
      }
      return out;
    } catch (SQLException e) {
      throw new IllegalStateException("could not count the unconverted deals of " + source + ": " + e.getMessage(), e);
    }
  }

  /** The currencies every source reported, for the status page: source to corporate currency and the codes it converts. */
  public Map<String, CurrencySettings> all() {
    var sources = new ArrayList<String>();
    try (var c = database.connection(); var rs = c.createStatement().executeQuery(
        "SELECT DISTINCT source FROM currency_rate ORDER BY source")) {
      while (rs.next()) {
        sources.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read the currency rates: " + e.getMessage(), e);
    }
    var out = new LinkedHashMap<String, CurrencySettings>();
    sources.forEach(s -> load(s).ifPresent(v -> out.put(s, v)));
    return out;
  }

  /** Whether the mirror table {@code table} has the column {@code column} (mapped fields add columns). */
  public static boolean hasColumn(java.sql.Connection c, String table, String column) throws SQLException {
    try (var ps = c.prepareStatement("SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
        + " AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
      ps.setString(1, table);
      ps.setString(2, column);
      try (var rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }
}
