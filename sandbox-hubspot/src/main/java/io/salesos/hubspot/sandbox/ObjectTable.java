package io.salesos.hubspot.sandbox;

import io.salesos.hubspot.sandbox.StoredObject.HistoryEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The records of one HubSpot object type with their property definitions, a unique-value index for
 * upserts, and a search view that lags the records by the configured delay, as HubSpot's search
 * index does. Not thread-safe: {@link SandboxState} serialises access.
 */
final class ObjectTable {

  /** Properties whose past values are kept (HubSpot keeps all; these are the ones salesos reads). */
  static final Set<String> TRACKED = Set.of("dealstage", "amount", "closedate", "hs_manual_forecast_category");

  private record Pending(Instant visibleAt, long id, StoredObject version) {}

  final String name;
  final String typeId;
  final String stampProperty;
  final List<String> defaultProperties;
  final Map<String, PropertyDef> definitions = new LinkedHashMap<>();
  /** Property groups by name, with their labels; the object's information group always exists. */
  final Map<String, String> groups = new LinkedHashMap<>();
  final String infoGroup;
  private final TreeMap<Long, StoredObject> records = new TreeMap<>();
  private final Map<String, Map<String, Long>> unique = new HashMap<>();
  private final Map<Long, StoredObject> searchView = new HashMap<>();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  /** The portal's webhooks journal, told of every create, update and delete (null: not journalled). */
  ChangeJournal journal;

  ObjectTable(String name, String typeId, String stampProperty, List<String> defaultProperties) {
    this.name = name;
    this.typeId = typeId;
    this.stampProperty = stampProperty;
    this.defaultProperties = List.copyOf(defaultProperties);
    // HubSpot names it after the singular object: dealinformation, companyinformation (engagements unconfirmed)
    var singular = name.equals("companies") ? "company" : name.endsWith("s") ? name.substring(0, name.length() - 1) : name;
    this.infoGroup = singular + "information";
    groups.put(infoGroup, Character.toUpperCase(singular.charAt(0)) + singular.substring(1) + " information");
  }

  void define(PropertyDef given) {
    var def = given.groupName().equals(PropertyDef.OBJECT_INFO) ? given.inGroup(infoGroup) : given;
    if (!groups.containsKey(def.groupName())) {
      throw new IllegalArgumentException("no property group " + def.groupName() + " on " + name);
    }
    definitions.put(def.name(), def);
    if (def.hasUniqueValue()) {
      unique.computeIfAbsent(def.name(), k -> new HashMap<>());
    }
  }

  Optional<StoredObject> get(long id) {
    return Optional.ofNullable(records.get(id));
  }

  Optional<StoredObject> byUnique(String property, String value) {
    if (property.equals("hs_object_id")) {
      try {
        return get(Long.parseLong(value)).filter(o -> !o.archived());
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    var index = unique.get(property);
    var id = index == null ? null : index.get(value);
    return id == null ? Optional.empty() : get(id).filter(o -> !o.archived());
  }

  /** Records in id order, live or archived, strictly after {@code afterId}. */
  Collection<StoredObject> from(long afterId) {
    return records.tailMap(afterId, false).values();
  }

  int count(boolean archived) {
    int n = 0;
    for (var o : records.values()) {
      if (o.archived() == archived) {
        n++;
      }
    }
    return n;
  }

  /**
   * Stores a new version of a record. {@code changed} are the property values written; history is
   * appended for tracked ones. Search sees the version after {@code searchLag}.
   */
  StoredObject put(long id, Map<String, String> changed, Instant stamp, Duration searchLag, String source) {
    var old = records.get(id);
    var props = old == null ? new LinkedHashMap<String, String>() : new LinkedHashMap<>(old.properties());
    // only a journal with subscriptions records anything: seeding and bulk fills pay nothing for it
    var journalled = journal != null && journal.active() ? new LinkedHashMap<String, String>() : null;
    var history = old == null ? new HashMap<String, List<HistoryEntry>>() : new HashMap<>(old.history());
    for (var e : changed.entrySet()) {
      var def = definitions.get(e.getKey());
      var value = def == null ? e.getValue() : def.normalize(e.getValue());
      var previous = props.put(e.getKey(), value);
      if (journalled != null && !java.util.Objects.equals(previous, value)) {
        journalled.put(e.getKey(), value);
      }
      if (TRACKED.contains(e.getKey()) && !java.util.Objects.equals(previous, value)) {
        var entries = new ArrayList<HistoryEntry>();
        entries.add(new HistoryEntry(value, stamp, source));
        entries.addAll(history.getOrDefault(e.getKey(), List.of()));
        history.put(e.getKey(), List.copyOf(entries));
      }
      reindex(e.getKey(), previous, value, id);
    }
    var created = old == null ? stamp : old.createdAt();
    props.put("hs_object_id", Long.toString(id));
    props.putIfAbsent("createdate", PropertyDef.iso(created));
    props.put(stampProperty, PropertyDef.iso(stamp));
    var version = new StoredObject(id, props, created, stamp, false, Optional.empty(), history);
    records.put(id, version);
    publish(id, version, stamp, searchLag);
    if (journalled != null) {
      if (old == null || old.archived()) {
        journal.created(typeId, id, stamp);
      } else if (!journalled.isEmpty()) {
        journal.updated(typeId, id, stamp, journalled);
      }
    }
    return version;
  }

  /** Seeds a record as if it had always been there: indexed for search at once. */
  void seed(StoredObject object) {
    records.put(object.id(), object);
    for (var e : object.properties().entrySet()) {
      reindex(e.getKey(), null, e.getValue(), object.id());
    }
    if (!object.archived()) {
      searchView.put(object.id(), object);
    }
  }

  /** Archives a record; its stamp stays as it was, only archivedAt moves (as in HubSpot). */
  Optional<StoredObject> archive(long id, Instant at, Duration searchLag) {
    var old = records.get(id);
    if (old == null || old.archived()) {
      return Optional.empty();
    }
    var version = new StoredObject(id, old.properties(), old.createdAt(), old.updatedAt(), true,
        Optional.of(at), old.history());
    records.put(id, version);
    for (var e : old.properties().entrySet()) {
      reindex(e.getKey(), e.getValue(), null, id);
    }
    publish(id, null, at, searchLag);
    if (journal != null && journal.active()) {
      journal.deleted(typeId, id, at);
    }
    return Optional.of(version);
  }

  /** Removes a record for good (a GDPR erasure): neither live nor archived reads find it again. */
  void purge(long id, Instant at, Duration searchLag) {
    var old = records.remove(id);
    if (old == null) {
      return;
    }
    if (journal != null && journal.active() && !old.archived()) {
      journal.deleted(typeId, id, at);
    }
    for (var e : old.properties().entrySet()) {
      reindex(e.getKey(), e.getValue(), null, id);
    }
    publish(id, null, at, searchLag);
  }

  /** What search can see now: pending versions whose lag has passed are applied first. */
  Collection<StoredObject> searchable(Instant now) {
    while (!pending.isEmpty() && !pending.peekFirst().visibleAt().isAfter(now)) {
      var p = pending.pollFirst();
      if (p.version() == null) {
        searchView.remove(p.id());
      } else {
        searchView.put(p.id(), p.version());
      }
    }
    return searchView.values();
  }

  private void publish(long id, StoredObject version, Instant stamp, Duration searchLag) {
    if (searchLag.isZero() && pending.isEmpty()) {
      if (version == null) {
        searchView.remove(id);
      } else {
        searchView.put(id, version);
      }
      return;
    }
    pending.addLast(new Pending(stamp.plus(searchLag), id, version));
  }

  private void reindex(String property, String previous, String value, long id) {
    var index = unique.get(property);
    if (index == null) {
      return;
    }
    if (previous != null && !previous.isEmpty()) {
      index.remove(previous, id);
    }
    if (value != null && !value.isEmpty()) {
      index.put(value, id);
    }
  }
}
