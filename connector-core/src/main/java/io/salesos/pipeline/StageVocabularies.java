package io.salesos.pipeline;

import io.salesos.connection.CrmConnection;
import io.salesos.mirror.Database;
import io.salesos.mirror.StageVocabularyStore;
import io.salesos.model.FieldType;
import io.salesos.rules.RuleVocabulary;
import io.salesos.spi.StageVocabulary;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each connection's deal stages: read from its CRM with each pull of metadata (before a pull, at
 * most once per {@link #REFRESH}, and at once while none is mirrored), kept in the mirror by {@link
 * StageVocabularyStore}, and joined into the vocabulary the rule files are checked against.
 *
 * <p>Before its CRM's stages have been read once, a connection whose connector can read them is not
 * evaluated (fail closed: a rule set checked against no stages of that CRM could flag its deals on
 * names it does not have). A connector that cannot read stages keeps the standard stages its mapping
 * translates into.
 */
final class StageVocabularies {

  private static final Logger log = LoggerFactory.getLogger(StageVocabularies.class);
  static final Duration REFRESH = Duration.ofHours(1);

  private final StageVocabularyStore store;
  private final Clock clock;
  /** When each connection's CRM was last asked, and whether its connector reads stages at all. */
  private final Map<String, Instant> asked = new ConcurrentHashMap<>();
  private final Map<String, Boolean> reads = new ConcurrentHashMap<>();

  StageVocabularies(Database database, Clock clock) {
    this.store = new StageVocabularyStore(database, clock);
    this.clock = clock;
  }

  /** Reads the stages of {@code c}'s CRM when due; a failure keeps the mirrored ones and is logged. */
  void refresh(CrmConnection c) {
    var last = asked.get(c.name());
    if (last != null && last.plus(REFRESH).isAfter(clock.instant()) && (reads.get(c.name()) == Boolean.FALSE
        || store.latest(c.name()).isPresent())) {
      return;
    }
    refreshNow(c);
  }

  /** Reads the stages of {@code c}'s CRM now; a failure keeps the mirrored ones and is logged. */
  void refreshNow(CrmConnection c) {
    asked.put(c.name(), clock.instant());
    try {
      var read = c.connector().stageVocabulary();
      reads.put(c.name(), read.isPresent());
      if (read.isPresent()) {
        var before = store.latest(c.name()).map(StageVocabularyStore.Versioned::version).orElse(0);
        var stored = store.record(c.name(), read.get());
        if (stored.version() != before) {
          log.info("event=stages_read source={} version={} pipelines={} stages={}", c.name(), stored.version(),
              read.get().pipelines().size(), read.get().pipelines().stream().mapToInt(p -> p.stages().size()).sum());
        }
      }
    } catch (Exception e) {
      log.warn("event=stages_read_failed source={} reason=\"{}\" keeping={}", c.name(), e.getMessage(),
          store.latest(c.name()).map(v -> "version " + v.version()).orElse("none"));
    }
  }

  /**
   * Why {@code c} may not be evaluated yet: its connector reads stages but none has been mirrored
   * (the first read failed or has not happened). Empty when it may.
   */
  Optional<String> blocked(CrmConnection c) {
    if (reads.get(c.name()) == Boolean.FALSE || store.latest(c.name()).isPresent()) {
      return Optional.empty();
    }
    if (!reads.containsKey(c.name())) {
      // not asked in this process: ask now rather than evaluate against stages never read
      refresh(c);
      if (reads.get(c.name()) == Boolean.FALSE || store.latest(c.name()).isPresent()) {
        return Optional.empty();
      }
    }
    return Optional.of("the deal stages of " + c.name() + " have not been read from the CRM yet, so the rules cannot be"
        + " checked against them; salesos reads them with the next pull (see the log for event=stages_read_failed)");
  }

  /** The newest mirrored stages of a connection. */
  Optional<StageVocabulary> of(String connection) {
    return store.latest(connection).map(StageVocabularyStore.Versioned::vocabulary);
  }

  /**
   * The vocabulary for rules running on {@code connections}: every mirrored stage of every one, the
   * standard stages for a connection with none mirrored (its connector cannot read them, or it has
   * not been pulled: it is then not evaluated), and {@code customFields}.
   */
  RuleVocabulary ruleVocabulary(List<CrmConnection> connections, Map<String, Map<String, FieldType>> customFields) {
    return union(connections.stream().map(CrmConnection::name).toList(), store, customFields);
  }

  /** As {@link #ruleVocabulary}, from the mirror alone (an offline {@code rules check}, a daemon starting). */
  static RuleVocabulary union(List<String> connections, StageVocabularyStore store,
      Map<String, Map<String, FieldType>> customFields) {
    var all = new ArrayList<StageVocabulary>();
    for (var name : connections) {
      all.add(store.latest(name).map(StageVocabularyStore.Versioned::vocabulary).orElseGet(RuleVocabulary::standardStages));
    }
    if (all.isEmpty()) {
      all.add(RuleVocabulary.standardStages());
    }
    return RuleVocabulary.of(all, customFields);
  }
}
