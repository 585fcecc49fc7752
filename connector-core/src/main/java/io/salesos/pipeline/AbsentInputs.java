package io.salesos.pipeline;

import io.salesos.connection.CrmConnection;
import io.salesos.outbox.AllowList;
import io.salesos.rules.RuleSet;
import io.salesos.schema.InputFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per connection, the canonical fields its CRM lacks (from the connector's describe, at most once
 * an hour), and the rule set restricted to them: a rule that reads one gives no verdict there.
 * When the CRM cannot be described, the last answer stands (none before the first).
 */
final class AbsentInputs {

  private static final Logger log = LoggerFactory.getLogger(AbsentInputs.class);
  static final Duration REFRESH = Duration.ofHours(1);

  private record Known(Map<String, String> absent, Instant at) {}

  private final Clock clock;
  private final Map<String, Known> byConnection = new ConcurrentHashMap<>();
  private final Map<String, java.util.List<String>> offSaid = new ConcurrentHashMap<>();

  AbsentInputs(Clock clock) {
    this.clock = clock;
  }

  RuleSet restrict(RuleSet rules, CrmConnection connection) {
    var absent = absent(connection, AllowList.of(rules.writePolicy()));
    var restricted = rules.restrictedTo(absent);
    // said when it changes, not at every evaluation: each run counts the errors it gives anyway
    if (!restricted.off().equals(offSaid.put(connection.name(), restricted.off()))) {
      for (var off : restricted.off()) {
        log.warn("event=rule_off_for_absent_field source={} rule=\"{}\"", connection.name(), off);
      }
    }
    return restricted.rules();
  }

  Map<String, String> absent(CrmConnection connection, AllowList allow) {
    var known = byConnection.get(connection.name());
    var now = clock.instant();
    if (known != null && known.at().plus(REFRESH).isAfter(now)) {
      return known.absent();
    }
    try {
      var absent = InputFields.absentCanonical(connection.mapping(), allow, connection.connector().describe());
      if (known == null || !known.absent().equals(absent)) {
        log.info("event=inputs_absent source={} fields={}", connection.name(), absent);
      }
      byConnection.put(connection.name(), new Known(absent, now));
      return absent;
    } catch (Exception e) {
      log.warn("event=describe_failed source={} reason=\"{}\" keeping={}", connection.name(), e.getMessage(),
          known == null ? "none" : known.absent().keySet());
      return known == null ? Map.of() : known.absent();
    }
  }
}
