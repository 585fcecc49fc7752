package io.salesos.currency;

import io.salesos.connection.CrmConnection;
import io.salesos.mapping.Mapping;
import io.salesos.mirror.Database;
import io.salesos.model.CanonicalSchema;
import io.salesos.spi.CurrencySettings;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each connection's exchange rates fresh (read from its CRM at most every {@link #REFRESH})
 * and fills {@code deal.amount} with each deal's amount as given converted to the corporate
 * currency, for mappings that read amounts as given ({@code amount_original}). A deal whose
 * currency has no rate gets no amount (left out of every total, never counted 1:1) and is
 * reported. Before the rates were ever read, only deals with no currency (the corporate one) get
 * an amount.
 */
public final class AmountConversion {

  private static final Logger log = LoggerFactory.getLogger(AmountConversion.class);
  /** How often a connection's rates are read from the CRM (rates change rarely; a read costs one or two calls). */
  public static final Duration REFRESH = Duration.ofMinutes(15);

  /** What one conversion pass over a connection's deals found. */
  public record Report(String source, String corporate, int converted, int changed, Map<String, Integer> unconverted) {
    public Report {
      unconverted = Map.copyOf(unconverted);
    }

    public int unconvertedDeals() {
      return unconverted.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  // the "rate" of an amount in a single-currency org: ISO 4217's code for no currency, 1:1
  private static final CurrencySettings.Rate AS_GIVEN = CurrencySettings.Rate.undated("XXX", BigDecimal.ONE,
      CurrencySettings.Quote.UNITS_PER_CORPORATE, true, 2);

  private record Known(Optional<CurrencySettings> settings, Instant at) {}

  private final Database database;
  private final CurrencyStore store;
  private final Clock clock;
  private final Map<String, Known> known = new ConcurrentHashMap<>();
  // per connection, the rates the last conversion of all its deals used (absent: none yet)
  private final Map<String, Optional<CurrencySettings>> convertedAllWith = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Integer>> said = new ConcurrentHashMap<>();
  private final java.util.Set<String> neverRead = ConcurrentHashMap.newKeySet();

  public AmountConversion(Database database, Clock clock) {
    this.database = database;
    this.store = new CurrencyStore(database);
    this.clock = clock;
  }

  private final Map<String, Instant> lastChanged = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Whether a conversion by this process changed the amount of some deal of {@code source} at or
   * after {@code since} (those deals' rows carry the conversion's instant as {@code synced_at}).
   */
  public boolean changedSince(String source, Instant since) {
    var at = lastChanged.get(source);
    return at != null && !at.isBefore(since.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
  }

  public CurrencyStore store() {
    return store;
  }

  /** Whether a mapping reads deal amounts as given, so that salesos converts them. */
  public static boolean converts(Mapping mapping) {
    return mapping.forCanonical(CanonicalSchema.DEAL).stream().anyMatch(o -> o.bindingFor("amount_original").isPresent());
  }

  /** Reads the connection's rates from its CRM when they are older than {@link #REFRESH} (or {@code force}), then converts its deals. */
  public Optional<Report> refreshAndConvert(CrmConnection connection, boolean force) {
    refresh(connection, force);
    return convert(connection);
  }

  /** Reads the rates from the CRM when due; when the CRM cannot be read, the last rates stand. */
  public void refresh(CrmConnection connection, boolean force) {
    var name = connection.name();
    var now = clock.instant();
    var k = known.get(name);
    if (!force && k != null && k.at().plus(REFRESH).isAfter(now)) {
      return;
    }
    try {
      var settings = connection.connector().currencies();
      if (store.save(name, settings, now)) {
        log.info("event=currency_rates_changed source={} corporate={} rates={}", name,
            settings.map(CurrencySettings::corporate).orElse("(single currency)"),
            settings.map(s -> s.rates().size()).orElse(0));
      }
      known.put(name, new Known(settings, now));
    } catch (Exception e) {
      var stored = k != null ? k.settings() : store.load(name);
      log.warn("event=currency_rates_unread source={} reason=\"{}\" keeping={}", name, e.getMessage(),
          stored.map(s -> s.corporate() + " with " + s.rates().size() + " rates").orElse(k == null ? "none" : "single currency"));
      if (k == null && stored.isPresent()) {
        // rates a daemon stored before still convert; retried at the next refresh
        known.put(name, new Known(stored, now.minus(REFRESH)));
      }
    }
  }

  /**
   * Whether the rates known for a connection are not those its deals were all last converted with
   * (read anew with a change, a rate gone): then converting only some deals would leave the others
   * at the old rates.
   */
  public boolean ratesChangedSinceFullConversion(CrmConnection connection) {
    var k = known.get(connection.name());
    var used = convertedAllWith.get(connection.name());
    return k != null && (used == null || !used.equals(k.settings()));
  }

  /** Converts the deals of one connection with its known rates; empty when its mapping reads no amounts as given. */
  public Optional<Report> convert(CrmConnection connection) {
    if (!converts(connection.mapping())) {
      return Optional.empty();
    }
    var k = known.get(connection.name());
    if (k == null && neverRead.add(connection.name())) {
      log.warn("event=currency_rates_never_read source={} effect=\"deals with no currency (the corporate one) count as"
          + " entered; deals with a currency get no amount until the rates are read\"", connection.name());
    }
    // rates never read: a deal with no currency is in the corporate currency whatever the rates; one
    // with a currency is left without an amount (and reported) rather than taken 1:1
    var report = convert(connection.name(), k == null ? Optional.empty() : k.settings().map(CurrencyRates::new),
        LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
    convertedAllWith.put(connection.name(), k == null ? Optional.empty() : k.settings());
    var before = said.put(connection.name(), report.unconverted());
    if (!report.unconverted().isEmpty() && !report.unconverted().equals(before)) {
      log.warn("event=amounts_unconverted source={} corporate={} deals={} currencies={} effect=\"left out of forecast totals,"
          + " routing values and amount thresholds\"", report.source(), report.corporate(), report.unconvertedDeals(),
          report.unconverted());
    } else if (report.unconverted().isEmpty() && before != null && !before.isEmpty()) {
      log.info("event=amounts_all_converted source={} corporate={}", report.source(), report.corporate());
    }
    return Optional.of(report);
  }

  /**
   * Fills {@code deal.amount} of every live deal of {@code source} from its amount as given,
   * currency and close date ({@code rates} empty: a single-currency org, amounts as given).
   */
  Report convert(String source, Optional<CurrencyRates> rates, LocalDate today) {
    return convert(source, rates, today, Optional.empty());
  }

  /**
   * Converts only the deals {@code dealIds} of one connection with its known rates (the deals a
   * streamed batch changed: converting every deal of the connection after each batch read them all
   * again); empty when its mapping reads no amounts as given. Rates are not read here.
   */
  public Optional<Report> convert(CrmConnection connection, java.util.Collection<String> dealIds) {
    if (!converts(connection.mapping()) || dealIds.isEmpty()) {
      return Optional.empty();
    }
    var k = known.get(connection.name());
    return Optional.of(convert(connection.name(), k == null ? Optional.empty() : k.settings().map(CurrencyRates::new),
        LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC), Optional.of(List.copyOf(new java.util.TreeSet<>(dealIds)))));
  }

  private Report convert(String source, Optional<CurrencyRates> rates, LocalDate today, Optional<List<String>> only) {
    if (only.isPresent() && only.get().size() > 1000) {
      return convert(source, rates, today, Optional.empty());
    }
    // the rows whose amount changed are stamped as written now, so a stream step finds them (see changedSince)
    var stamp = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    int converted = 0;
    int changed = 0;
    var unconverted = new TreeMap<String, Integer>();
    try (var c = database.connection()) {
      c.setAutoCommit(false);
      try (var ps = c.prepareStatement("SELECT crm_object, id, amount_original, currency, close_date, is_closed, amount"
          + " FROM deal WHERE source = ? AND deleted = FALSE" + only.map(ids -> " AND id IN ("
          + String.join(",", java.util.Collections.nCopies(ids.size(), "?")) + ")").orElse(""));
          // only while the deal still holds the inputs the amount was computed from: a conversion running
          // beside another (the poll's and a streamed batch's) never writes an amount from a superseded read
          var up = c.prepareStatement("UPDATE deal SET amount = ?, synced_at = ? WHERE source = ? AND crm_object = ? AND id = ?"
              + " AND amount_original <=> ? AND currency <=> ? AND close_date <=> ? AND is_closed <=> ?")) {
        ps.setString(1, source);
        if (only.isPresent()) {
          for (int i = 0; i < only.get().size(); i++) {
            ps.setString(2 + i, only.get().get(i));
          }
        }
        ps.setFetchSize(1000);
        int pending = 0;
        try (var rs = ps.executeQuery()) {
          while (rs.next()) {
            var original = rs.getBigDecimal(3);
            var currency = Optional.ofNullable(rs.getString(4));
            var closeDate = Optional.ofNullable(rs.getObject(5, LocalDate.class));
            boolean closed = rs.getBoolean(6);
            var current = rs.getBigDecimal(7);
            BigDecimal amount = null;
            if (original != null) {
              var result = rates.isPresent() ? rates.get().convert(original, currency, closeDate, closed, today)
                  : currency.filter(x -> !x.isBlank()).<CurrencyRates.Conversion>map(
                      x -> new CurrencyRates.Conversion.NoRate(x, "the org reports no currencies"))
                  .orElse(new CurrencyRates.Conversion.Converted(original.setScale(2, java.math.RoundingMode.HALF_UP), AS_GIVEN));
              if (result instanceof CurrencyRates.Conversion.Converted ok) {
                amount = ok.amount();
                converted++;
              } else if (result instanceof CurrencyRates.Conversion.NoRate no) {
                unconverted.merge(no.currency(), 1, Integer::sum);
              }
            }
            if (!sameAmount(current, amount)) {
              up.setBigDecimal(1, amount);
              up.setObject(2, java.time.LocalDateTime.ofInstant(stamp, ZoneOffset.UTC));
              up.setString(3, source);
              up.setString(4, rs.getString(1));
              up.setString(5, rs.getString(2));
              up.setBigDecimal(6, original);
              up.setString(7, currency.orElse(null));
              up.setObject(8, closeDate.orElse(null));
              up.setObject(9, rs.getObject(6));
              up.addBatch();
              changed++;
              if (++pending == 500) {
                up.executeBatch();
                pending = 0;
              }
            }
          }
        }
        if (pending > 0) {
          up.executeBatch();
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not convert the deal amounts of " + source + ": " + e.getMessage(), e);
    }
    if (changed > 0) {
      lastChanged.put(source, stamp);
      log.info("event=amounts_converted source={} corporate={} converted={} changed={}", source,
          rates.map(CurrencyRates::corporate).orElse("(single currency)"), converted, changed);
    }
    return new Report(source, rates.map(CurrencyRates::corporate).orElse(""), converted, changed, unconverted);
  }

  private static boolean sameAmount(BigDecimal a, BigDecimal b) {
    return Objects.equals(a, b) || a != null && b != null && a.compareTo(b) == 0;
  }
}
