package io.salesos.visits;

import io.salesos.evaluate.RulesRunner;
import io.salesos.mirror.Database;
import io.salesos.outbox.AllowList;
import io.salesos.outbox.OutboxEntry;
import io.salesos.outbox.OutboxStore;
import io.salesos.rules.WriteKind;
import io.salesos.rules.Hashing;
import io.salesos.rules.WriteDecision;
import io.salesos.rules.WritePolicy;
import io.salesos.spi.Write;
import io.salesos.connection.CrmConnection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * Writes day plans back into the CRM as ordinary calendar records (Salesforce Events, HubSpot
 * meetings), one per planned stop, through the outbox under the write policy. Each stop's key is
 * its rep, day, account and content, so planning the same day again writes nothing that did not
 * change, and a stop dropped or moved by a re-plan replaces the earlier record (which is deleted).
 */
public final class PlanWriter {

  private final Database database;
  private final OutboxStore outbox;

  public PlanWriter(Database database, Clock clock) {
    this.database = database;
    this.outbox = new OutboxStore(database, clock);
  }

  /**
   * Queues the plans of one connection under {@code policy} (its decision for visit plans, and its
   * allow-list: a plan write it refuses is queued as blocked); returns how many writes were queued.
   */
  public int write(CrmConnection connection, List<DayPlanner.RepPlan> plans, WritePolicy policy, String runId) {
    var decision = policy.decision(WriteKind.VISIT_PLAN);
    if (decision == WriteDecision.OFF || plans.isEmpty()) {
      return 0;
    }
    var target = RulesRunner.activityTarget(connection, "visit").orElseThrow(() -> new IllegalStateException(
        "the mapping of " + connection.name() + " has no activity object with a salesos_key to write visit plans into"));
    var status = decision == WriteDecision.DRAFT ? OutboxEntry.Status.DRAFT : OutboxEntry.Status.PENDING;
    var entries = new ArrayList<OutboxEntry>();
    for (var plan : plans) {
      var keep = new HashSet<String>();
      for (var stop : plan.stops()) {
        if (stop.booked() || stop.done()) {
          continue;
        }
        var key = key(connection.name(), plan, stop.accountId());
        var fields = new LinkedHashMap<String, Object>();
        fields.put("kind", "visit");
        fields.put("subject", "Visit " + stop.accountName() + " (stop " + stop.order() + " of " + plan.stops().size() + ")");
        fields.put("body", "Planned by salesos for " + plan.date() + ". Why this stop: " + stop.reason()
            + ". Arrive " + stop.arrival().toLocalTime() + ", meet " + stop.start().toLocalTime() + "-" + stop.departure().toLocalTime()
            + " (" + plan.zone().getId() + ").");
        fields.put("owner_id", plan.ownerId());
        fields.put("account_id", stop.accountId());
        stop.dealId().ifPresent(d -> fields.put("deal_id", d));
        // stop times are the rep's local wall-clock times: the rep's zone makes them instants
        fields.put("start_at", plan.instant(stop.start()));
        fields.put("end_at", plan.instant(stop.departure()));
        fields.put("status", "planned");
        // the content is part of the key: a changed stop time is a new upsert of the same record
        var writeKey = key + ":" + Hashing.sha256(fields.toString()).substring(0, 12);
        keep.add(writeKey);
        entries.add(OutboxEntry.queued(writeKey.length() > 128 ? writeKey.substring(0, 128) : writeKey, connection.name(),
            target.crmObject(), "activity", Optional.empty(), Write.Op.UPSERT, WriteKind.VISIT_PLAN, fields, java.util.Map.of(),
            Optional.of("routing.visit_value"), Optional.empty(), Optional.of(runId), "planner").withStatus(status));
      }
      for (var stale : staleStops(connection.name(), plan, keep)) {
        entries.add(OutboxEntry.queued("unplan:" + stale[1] + ":" + runId, connection.name(), stale[2], "activity",
            Optional.of(stale[0]), Write.Op.DELETE, WriteKind.VISIT_PLAN, java.util.Map.of(), java.util.Map.of(),
            Optional.of("routing.replan"), Optional.empty(), Optional.of(runId), "planner").withStatus(status));
      }
    }
    return outbox.enqueue(entries, AllowList.of(policy));
  }

  /**
   * The external key of a stop: stable per connection, rep, day and account. The upsert key is
   * this key (the CRM record's salesos_key) so a re-plan updates the same record.
   */
  static String key(String source, DayPlanner.RepPlan plan, String accountId) {
    return "plan-" + plan.date() + "-" + Hashing.sha256(source + "|" + plan.ownerId() + "|" + accountId).substring(0, 24);
  }

  /** (crm id, salesos_key, crm object) of earlier planned stops of this rep-day no longer in the plan. */
  private List<String[]> staleStops(String source, DayPlanner.RepPlan plan, java.util.Set<String> keep) {
    var out = new ArrayList<String[]>();
    try (var c = database.connection();
        var ps = c.prepareStatement("SELECT `id`, `salesos_key`, `crm_object` FROM `activity` WHERE `source` = ? AND `deleted` = FALSE"
            + " AND `owner_id` = ? AND `salesos_key` LIKE ?")) {
      ps.setString(1, source);
      ps.setString(2, plan.ownerId());
      ps.setString(3, "plan-" + plan.date() + "-%");
      try (var rs = ps.executeQuery()) {
        while (rs.next()) {
          var key = rs.getString(2);
          if (!keep.contains(key)) {
            out.add(new String[] {rs.getString(1), key, rs.getString(3)});
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("could not read earlier plans: " + e.getMessage(), e);
    }
    return out;
  }
}
