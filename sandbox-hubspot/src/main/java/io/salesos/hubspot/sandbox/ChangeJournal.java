package io.salesos.hubspot.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The portal's webhooks journal (API version 2026-03, see docs/change-streams.md): the app's
 * subscriptions by object type, actions and properties, and the journal of the events they
 * matched, in order, each entry under a UUID offset with its events in a file behind a short-lived
 * URL. Every create, update and delete the sandbox applies is journalled for the subscriptions
 * that match it; the events of one write request form one entry. Entries are kept three days, so
 * an offset older than that is gone (404), as HubSpot documents.
 */
final class ChangeJournal {

  /** How long HubSpot keeps journal entries. */
  static final Duration RETENTION = Duration.ofDays(3);
  /** How long an entry's file URL stays valid (HubSpot's {@code expiresAt}; the length is the sandbox's choice). */
  static final Duration FILE_URL_LIFETIME = Duration.ofMinutes(10);
  static final long APP_ID = 3_100_777L;

  /** One subscription of the app. */
  record Subscription(long id, String objectTypeId, Set<String> actions, List<String> properties, Instant createdAt,
      Instant updatedAt) {}

  /** One journalled event. */
  record Event(long eventId, long subscriptionId, String action, String objectTypeId, long objectId, Instant occurredAt,
      Optional<String> propertyName, Optional<String> propertyValue) {}

  /** One journal entry: its offset, when it was written, and its events. */
  record Entry(String offset, Instant createdAt, List<Event> events) {}

  private final Map<Long, Subscription> subscriptions = new LinkedHashMap<>();
  private final List<Entry> entries = new ArrayList<>();
  private final List<Event> pending = new ArrayList<>();
  /** Offsets whose file a fault made unreadable (a lost stretch of the journal). */
  private final Set<String> lostFiles = new java.util.HashSet<>();
  private long nextSubscription = 1;
  private long nextEvent = 1;
  private int gapsToEmit;
  /** Whether any subscription exists: without one nothing is journalled, and writes skip the bookkeeping. */
  private volatile boolean active;

  // ---- subscriptions ----

  synchronized Subscription subscribe(String objectTypeId, Set<String> actions, List<String> properties, Instant now) {
    for (var s : subscriptions.values()) {
      if (s.objectTypeId().equals(objectTypeId)) {
        // HubSpot's POST is an upsert of the app's subscription for that object type
        var updated = new Subscription(s.id(), objectTypeId, Set.copyOf(actions), List.copyOf(properties), s.createdAt(), now);
        subscriptions.put(s.id(), updated);
        return updated;
      }
    }
    var s = new Subscription(nextSubscription++, objectTypeId, Set.copyOf(actions), List.copyOf(properties), now, now);
    subscriptions.put(s.id(), s);
    active = true;
    return s;
  }

  synchronized List<Subscription> subscriptions() {
    return List.copyOf(subscriptions.values());
  }

  synchronized boolean unsubscribe(long id) {
    boolean removed = subscriptions.remove(id) != null;
    active = !subscriptions.isEmpty();
    if (!active) {
      pending.clear();
    }
    return removed;
  }

  boolean active() {
    return active;
  }

  // ---- recording (called under the portal's write lock) ----

  synchronized void created(String objectTypeId, long id, Instant at) {
    match(objectTypeId, "CREATE", Optional.empty()).forEach(s -> pending.add(event(s, "CREATE", objectTypeId, id, at, null, null)));
  }

  synchronized void updated(String objectTypeId, long id, Instant at, Map<String, String> changed) {
    for (var e : changed.entrySet()) {
      for (var s : match(objectTypeId, "UPDATE", Optional.of(e.getKey()))) {
        pending.add(event(s, "UPDATE", objectTypeId, id, at, e.getKey(), e.getValue()));
      }
    }
  }

  synchronized void deleted(String objectTypeId, long id, Instant at) {
    match(objectTypeId, "DELETE", Optional.empty()).forEach(s -> pending.add(event(s, "DELETE", objectTypeId, id, at, null, null)));
  }

  synchronized void snapshot(String objectTypeId, long id, Instant at) {
    for (var s : subscriptions.values()) {
      if (s.objectTypeId().equals(objectTypeId)) {
        pending.add(event(s, "SNAPSHOT", objectTypeId, id, at, null, null));
        return;
      }
    }
  }

  private List<Subscription> match(String objectTypeId, String action, Optional<String> property) {
    var out = new ArrayList<Subscription>();
    for (var s : subscriptions.values()) {
      if (!s.objectTypeId().equals(objectTypeId) || !s.actions().contains(action)) {
        continue;
      }
      if (property.isPresent() && !s.properties().isEmpty() && !s.properties().contains(property.get())) {
        continue;
      }
      out.add(s);
    }
    return out;
  }

  private Event event(Subscription s, String action, String type, long id, Instant at, String property, String value) {
    return new Event(nextEvent++, s.id(), action, type, id, at, Optional.ofNullable(property), Optional.ofNullable(value));
  }

  /** Closes the events of one write request into one journal entry. */
  void flush(Instant now) {
    if (!active) {
      return;
    }
    flushPending(now);
  }

  private synchronized void flushPending(Instant now) {
    if (pending.isEmpty()) {
      return;
    }
    var entry = new Entry(UUID.randomUUID().toString(), now, List.copyOf(pending));
    pending.clear();
    entries.add(entry);
    if (gapsToEmit > 0) {
      gapsToEmit--;
      lostFiles.add(entry.offset());
    }
  }

  // ---- reading ----

  synchronized Optional<Entry> earliest(Instant now) {
    expire(now);
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
  }

  synchronized Optional<Entry> latest(Instant now) {
    expire(now);
    return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(entries.size() - 1));
  }

  /** The {@code count} earliest entries, oldest first. */
  synchronized List<Entry> earliest(int count, Instant now) {
    expire(now);
    return List.copyOf(entries.subList(0, Math.min(count, entries.size())));
  }

  /** The {@code count} latest entries, oldest first. */
  synchronized List<Entry> latest(int count, Instant now) {
    expire(now);
    return List.copyOf(entries.subList(Math.max(0, entries.size() - count), entries.size()));
  }

  /** The entry at {@code offset}, if the journal holds it. */
  synchronized Optional<Entry> at(String offset, Instant now) {
    expire(now);
    return entries.stream().filter(e -> e.offset().equals(offset)).findFirst();
  }

  /** The entry after {@code offset}; empty at the end; a 404 when the journal no longer holds it. */
  synchronized Optional<Entry> next(String offset, Instant now) {
    expire(now);
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).offset().equals(offset)) {
        return i + 1 < entries.size() ? Optional.of(entries.get(i + 1)) : Optional.empty();
      }
    }
    throw new ApiError(404, "OBJECT_NOT_FOUND", "Offset " + offset + " has expired or does not exist");
  }

  /** An entry's file: its events as JSON, or empty when the file is gone (a gap the test asked for, or expired). */
  synchronized Optional<ArrayNode> file(String offset, Instant now) {
    expire(now);
    if (lostFiles.contains(offset)) {
      return Optional.empty();
    }
    for (var e : entries) {
      if (e.offset().equals(offset)) {
        var out = HubSpotApi.array();
        for (var ev : e.events()) {
          out.add(json(ev));
        }
        return Optional.of(out);
      }
    }
    return Optional.empty();
  }

  private static ObjectNode json(Event e) {
    var n = HubSpotApi.object();
    n.put("eventId", e.eventId());
    n.put("subscriptionId", e.subscriptionId());
    n.put("portalId", SandboxState.PORTAL_ID);
    n.put("appId", APP_ID);
    n.put("occurredAt", e.occurredAt().toEpochMilli());
    n.put("subscriptionType", "OBJECT");
    n.put("action", e.action());
    n.put("objectTypeId", e.objectTypeId());
    n.put("objectId", e.objectId());
    e.propertyName().ifPresent(p -> n.put("propertyName", p));
    e.propertyValue().ifPresent(v -> n.put("propertyValue", v));
    n.put("changeSource", "CRM");
    return n;
  }

  private void expire(Instant now) {
    var cutoff = now.minus(RETENTION);
    entries.removeIf(e -> e.createdAt().isBefore(cutoff));
  }

  // ---- faults ----

  /** Drops every entry written so far, as three days without reading would: a stored offset then answers 404. */
  synchronized void expireAll() {
    entries.forEach(e -> lostFiles.remove(e.offset()));
    entries.clear();
  }

  /** The next {@code count} entries are written but their files cannot be fetched: events lost to the reader. */
  synchronized void gaps(int count) {
    gapsToEmit = count;
  }

  synchronized int size() {
    return entries.size();
  }
}
