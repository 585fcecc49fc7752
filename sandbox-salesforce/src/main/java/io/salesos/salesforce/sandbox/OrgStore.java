package io.salesos.salesforce.sandbox;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import io.salesos.salesforce.sandbox.OrgSchema.ObjectDef;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The org's records in memory and the server-side rules of saving them: one SystemModstamp per
 * call (1-second precision), derived Opportunity fields and history rows, validation rules,
 * external-id upserts, the recycle bin. Every method holds the store's lock, so a call is atomic
 * as a Salesforce transaction is.
 */
final class OrgStore {

  /** One stored sObject row; values are typed (String, BigDecimal, Boolean, LocalDate, Instant). */
  static final class Row {
    final String id;
    final ObjectDef type;
    final Map<String, Object> values = new HashMap<>();
    Instant deletedAt;

    Row(String id, ObjectDef type) {
      this.id = id;
      this.type = type;
    }

    Object get(String field) {
      return values.get(field);
    }

    Instant stamp() {
      return (Instant) values.get("SystemModstamp");
    }

    boolean deleted() {
      return deletedAt != null;
    }
  }

  /**
   * Told of every change a DML call commits, for Change Data Capture: {@link #begin} once per call
   * (one transaction), then each record's change with its values before (null on create) and after.
   */
  interface ChangeCapture {
    void begin();

    void changed(ObjectDef type, String id, String changeType, Map<String, Object> before, Map<String, Object> after,
        Instant commit, String userId);

    ChangeCapture NONE = new ChangeCapture() {
      @Override
      public void begin() {}

      @Override
      public void changed(ObjectDef type, String id, String changeType, Map<String, Object> before,
          Map<String, Object> after, Instant commit, String userId) {}
    };
  }

  private ChangeCapture capture = ChangeCapture.NONE;

  synchronized void capture(ChangeCapture c) {
    this.capture = c;
  }

  /** One record of a DML call, as the client sent it (wire text values). */
  record Input(String type, String id, Map<String, String> values, List<String> fieldsToNull) {}

  /** A per-record error with a real StatusCode. */
  record SaveError(String statusCode, String message, List<String> fields) {}

  /** A per-record DML result, positional to the input. */
  record Outcome(String id, boolean success, boolean created, List<SaveError> errors) {
    static Outcome failed(SaveError e) {
      return new Outcome(null, false, false, List.of(e));
    }
  }

  /** A validation rule as an admin would write one: when {@code failsWhen} holds, the save fails with {@code message}. */
  record ValidationRule(String object, String name, Predicate<Map<String, Object>> failsWhen, String message) {}

  /** A whole-call failure raised from inside the store (becomes a SOAP fault). */
  static final class CallFault extends RuntimeException {
    final String code;
    final String faultType;

    CallFault(String code, String faultType, String message) {
      super(message);
      this.code = code;
      this.faultType = faultType;
    }
  }

  private final OrgSchema schema;
  private final Clock clock;
  private final IdMinter ids = new IdMinter();
  private final Map<String, LinkedHashMap<String, Row>> byType = new HashMap<>();
  private final Map<String, Row> byId = new HashMap<>();
  private final List<ValidationRule> rules = new ArrayList<>();
  private String integrationUserId;
  private volatile int fiscalYearStartMonth = 1;
  private java.util.function.Consumer<Row> onAssignment = r -> { };

  OrgStore(OrgSchema schema, Clock clock) {
    this.schema = schema;
    this.clock = clock;
  }

  OrgSchema schema() {
    return schema;
  }

  /**
   * Converts the stored values of one field to its new definition after a type change in Setup:
   * a value that reads as the new type is kept, converted; any other is lost (blanked), as
   * Salesforce warns when a field's type changes. Answers how many values were lost. The records'
   * SystemModstamp does not move.
   */
  synchronized int convertField(String objectName, FieldDef field) {
    var rows = byType.getOrDefault(objectName.toLowerCase(Locale.ROOT), new LinkedHashMap<>());
    int lost = 0;
    for (var row : rows.values()) {
      var key = row.values.keySet().stream().filter(k -> k.equalsIgnoreCase(field.name())).findFirst();
      if (key.isEmpty() || row.values.get(key.get()) == null) {
        continue;
      }
      var text = WireFormat.format(row.values.get(key.get()));
      try {
        row.values.put(key.get(), WireFormat.parse(field, text));
      } catch (IllegalArgumentException e) {
        row.values.remove(key.get());
        lost++;
      }
    }
    return lost;
  }

  Clock clock() {
    return clock;
  }

  /** Organization.FiscalYearStartMonth: the month (1-12) the org's standard fiscal year starts in. */
  int fiscalYearStartMonth() {
    return fiscalYearStartMonth;
  }

  /** Sets Organization.FiscalYearStartMonth, as an admin does in Setup > Fiscal Year (the org row's stamp moves). */
  synchronized void fiscalYearStartMonth(int month) {
    if (month < 1 || month > 12) {
      throw new IllegalArgumentException("a fiscal year starts in a month from 1 to 12, not " + month);
    }
    this.fiscalYearStartMonth = month;
    organizationRow().ifPresent(r -> {
      r.values.put("FiscalYearStartMonth", month);
      r.values.put("LastModifiedDate", stampNow());
      r.values.put("SystemModstamp", stampNow());
    });
  }

  /** Sets Organization.TimeZoneSidKey, the org's default time zone (Setup > Company Information). */
  synchronized void organizationTimeZone(String zone) {
    organizationRow().ifPresent(r -> {
      r.values.put("TimeZoneSidKey", zone);
      r.values.put("LastModifiedDate", stampNow());
      r.values.put("SystemModstamp", stampNow());
    });
  }

  /**
   * The org's one Organization row, with the org id the login answers, as a stock org ships it: a
   * calendar fiscal year (FiscalYearStartMonth 1) named by its ending year, in {@code timeZone}.
   */
  synchronized void seedOrganization(String orgId, String name, String timeZone, Instant createdAt) {
    var def = schema.object("Organization").orElseThrow();
    var row = new Row(orgId, def);
    row.values.put("Id", orgId);
    row.values.put("IsDeleted", Boolean.FALSE);
    row.values.put("Name", name);
    row.values.put("FiscalYearStartMonth", fiscalYearStartMonth);
    row.values.put("UsesStartDateAsFiscalYearName", Boolean.FALSE);
    row.values.put("TimeZoneSidKey", timeZone);
    row.values.put("DefaultLocaleSidKey", "en_US");
    row.values.put("LanguageLocaleKey", "en_US");
    row.values.put("OrganizationType", "Enterprise Edition");
    row.values.put("IsSandbox", Boolean.TRUE);
    row.values.put("CreatedDate", createdAt);
    row.values.put("CreatedById", integrationUserId);
    row.values.put("LastModifiedDate", createdAt);
    row.values.put("LastModifiedById", integrationUserId);
    row.values.put("SystemModstamp", createdAt);
    put(row);
  }

  private Optional<Row> organizationRow() {
    var rows = byType.get("organization");
    return rows == null || rows.isEmpty() ? Optional.empty() : Optional.of(rows.values().iterator().next());
  }

  synchronized String integrationUserId() {
    return integrationUserId;
  }

  synchronized void integrationUserId(String id) {
    this.integrationUserId = id;
  }

  /** Called (under the store's lock) with each PermissionSetAssignment saved, to apply its field access. */
  synchronized void onAssignment(java.util.function.Consumer<Row> listener) {
    this.onAssignment = listener;
  }

  synchronized void addRule(ValidationRule rule) {
    rules.add(rule);
  }

  Instant stampNow() {
    return clock.instant().truncatedTo(ChronoUnit.SECONDS);
  }

  // ---- reads ----

  synchronized List<Row> scan(String type, boolean includeDeleted) {
    var rows = byType.get(type.toLowerCase(Locale.ROOT));
    if (rows == null) {
      return List.of();
    }
    var out = new ArrayList<Row>(rows.size());
    for (var r : rows.values()) {
      if (includeDeleted || !r.deleted()) {
        out.add(r);
      }
    }
    return out;
  }

  synchronized Optional<Row> find(String id) {
    if (id == null || !IdMinter.wellFormed(id)) {
      return Optional.empty();
    }
    return Optional.ofNullable(byId.get(IdMinter.normalize(id)));
  }

  synchronized int count(String type, boolean includeDeleted) {
    return scan(type, includeDeleted).size();
  }

  /**
   * The value a read returns now: formula fields are computed at read time, so they change without a
   * stamp. A field named by a relationship path ({@code Account.Name}, {@code Owner.Manager.Email})
   * is read on the parent record the path leads to, null when a link on the way is empty.
   */
  Object read(Row row, FieldDef field) {
    int dot = field.name().indexOf('.');
    if (dot > 0) {
      var parent = parent(row, field.name().substring(0, dot));
      if (parent.isEmpty()) {
        return null;
      }
      var rest = field.name().substring(dot + 1);
      var leaf = rest.indexOf('.') > 0 ? new FieldDef(rest, field.label(), field.type(), field.custom(), false, false,
          true, false, false, field.length(), field.referenceTo(), field.picklist(), false)
          : parent.get().type.field(rest).orElse(null);
      return leaf == null ? null : read(parent.get(), leaf);
    }
    if (field.calculated() && field.name().equals("Days_Open__c")) {
      var created = (Instant) row.get("CreatedDate");
      long days = ChronoUnit.DAYS.between(created.atOffset(ZoneOffset.UTC).toLocalDate(),
          LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
      return BigDecimal.valueOf(days);
    }
    return row.get(field.name());
  }

  /** The name of the relationship a reference field opens ({@code AccountId} to {@code Account}, {@code X__c} to {@code X__r}). */
  static String relationshipName(FieldDef f) {
    if (f.name().endsWith("__c")) {
      return f.name().substring(0, f.name().length() - 3) + "__r";
    }
    return f.name().endsWith("Id") ? f.name().substring(0, f.name().length() - 2) : f.name();
  }

  /** The reference field of {@code type} that opens {@code relationship}, matched case-insensitively. */
  static Optional<FieldDef> referenceFor(ObjectDef type, String relationship) {
    for (var f : type.fields()) {
      if (f.type().equals("reference") && relationshipName(f).equalsIgnoreCase(relationship)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** The parent record {@code row} links to through {@code relationship}, deleted parents included. */
  Optional<Row> parent(Row row, String relationship) {
    return referenceFor(row.type, relationship).map(f -> (String) row.get(f.name())).flatMap(this::find);
  }

  // ---- seeding (no validation: the seed is trusted and must be fast) ----

  synchronized Row seed(String type, Map<String, Object> values, Instant createdAt, Instant stamp) {
    var def = schema.object(type).orElseThrow();
    var row = new Row(ids.next(def.keyPrefix()), def);
    // a seed written for a richer org keeps only the fields this org has
    values.forEach((k, v) -> {
      if (def.field(k).isPresent()) {
        row.values.put(k, v);
      }
    });
    row.values.put("Id", row.id);
    row.values.put("IsDeleted", Boolean.FALSE);
    row.values.put("CreatedDate", createdAt);
    row.values.put("LastModifiedDate", stamp);
    row.values.put("SystemModstamp", stamp);
    row.values.putIfAbsent("CreatedById", integrationUserId);
    row.values.put("LastModifiedById", row.values.get("CreatedById"));
    defaultCurrency(def, row.values);
    if (def.name().equals("Opportunity")) {
      deriveOpportunity(schema.stages(), row.values, null, Set.of());
      row.values.putIfAbsent("LastStageChangeDate", createdAt);
    }
    if (def.name().equals("Contact") || def.name().equals("Lead") || def.name().equals("User")) {
      row.values.put("Name", fullName(row.values));
    }
    if (def.name().equals("Task") || def.name().equals("Event")) {
      deriveActivityAccount(row.values);
    }
    put(row);
    return row;
  }

  /** Sets a field as a system process would (no validation), optionally moving SystemModstamp. */
  synchronized void setRaw(String id, String field, Object value, Instant stamp) {
    var row = byId.get(IdMinter.normalize(id));
    row.values.put(field, value);
    if (stamp != null) {
      row.values.put("SystemModstamp", stamp);
    }
  }

  private void put(Row row) {
    byType.computeIfAbsent(row.type.name().toLowerCase(Locale.ROOT), k -> new LinkedHashMap<>()).put(row.id, row);
    byId.put(row.id, row);
  }

  // ---- DML ----

  /** A record ready to be written once the whole call has been checked. */
  private record Staged(Row existing, ObjectDef type, Map<String, Object> after, Set<String> explicit) {}

  synchronized List<Outcome> create(List<Input> inputs, boolean allOrNone, String userId, boolean locked) {
    capture.begin();
    var staged = new ArrayList<Object>();
    for (var in : inputs) {
      staged.add(stageCreate(in));
    }
    return commit(staged, allOrNone, userId, locked);
  }

  synchronized List<Outcome> update(List<Input> inputs, boolean allOrNone, String userId, boolean locked) {
    capture.begin();
    var staged = new ArrayList<Object>();
    for (var in : inputs) {
      staged.add(stageUpdate(in));
    }
    return commit(staged, allOrNone, userId, locked);
  }

  synchronized List<Outcome> upsert(String externalIdField, List<Input> inputs, boolean allOrNone, String userId,
      boolean locked) {
    capture.begin();
    if (inputs.isEmpty()) {
      return List.of();
    }
    var def = objectOrFault(inputs.get(0).type());
    var key = def.field(externalIdField)
        .filter(FieldDef::idLookup)
        .orElseThrow(() -> new CallFault("INVALID_FIELD", "InvalidFieldFault",
            "Field name provided, " + externalIdField + " is not an External ID or indexed field for " + def.name()));
    var seen = new HashMap<String, Integer>();
    for (var in : inputs) {
      var v = valueIgnoringCase(in.values(), key.name());
      if (v != null) {
        seen.merge(v.toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
    }
    var staged = new ArrayList<Object>();
    for (var in : inputs) {
      var v = valueIgnoringCase(in.values(), key.name());
      if (key.name().equals("Id")) {
        staged.add(in.id() == null ? stageCreate(in) : stageUpdate(in));
        continue;
      }
      if (v == null || v.isEmpty()) {
        staged.add(new SaveError("MISSING_ARGUMENT", key.name() + " not specified", List.of(key.name())));
        continue;
      }
      if (seen.get(v.toLowerCase(Locale.ROOT)) > 1) {
        staged.add(new SaveError("DUPLICATE_EXTERNAL_ID",
            "Duplicate external id specified: " + v, List.of(key.name())));
        continue;
      }
      var matches = scan(def.name(), false).stream()
          .filter(r -> v.equalsIgnoreCase(Objects.toString(r.get(key.name()), null)))
          .toList();
      if (matches.size() > 1) {
        staged.add(new SaveError("DUPLICATE_EXTERNAL_ID", key.name() + ": more than one record found for external id field: "
            + matches.stream().map(r -> r.id).toList(), List.of(key.name())));
      } else if (matches.size() == 1) {
        staged.add(stageUpdate(new Input(in.type(), matches.get(0).id, in.values(), in.fieldsToNull())));
      } else {
        staged.add(stageCreate(in));
      }
    }
    return commit(staged, allOrNone, userId, locked);
  }

  synchronized List<Outcome> delete(List<String> idList, boolean allOrNone, String userId, boolean locked) {
    capture.begin();
    var outcomes = new ArrayList<Outcome>();
    var toDelete = new ArrayList<Row>();
    boolean anyFailed = false;
    for (var id : idList) {
      if (locked) {
        outcomes.add(Outcome.failed(lockError(id)));
        anyFailed = true;
        continue;
      }
      if (!IdMinter.wellFormed(id)) {
        outcomes.add(Outcome.failed(new SaveError("MALFORMED_ID", "malformed id " + id, List.of())));
        anyFailed = true;
        continue;
      }
      var row = byId.get(IdMinter.normalize(id));
      if (row == null) {
        outcomes.add(Outcome.failed(new SaveError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of())));
        anyFailed = true;
      } else if (row.deleted()) {
        outcomes.add(Outcome.failed(new SaveError("ENTITY_IS_DELETED", "entity is deleted", List.of())));
        anyFailed = true;
      } else {
        outcomes.add(new Outcome(row.id, true, false, List.of()));
        toDelete.add(row);
      }
    }
    if (anyFailed && allOrNone) {
      return rolledBack(outcomes);
    }
    var stamp = stampNow();
    for (var row : toDelete) {
      row.deletedAt = clock.instant();
      row.values.put("IsDeleted", Boolean.TRUE);
      row.values.put("SystemModstamp", stamp);
      row.values.put("LastModifiedById", userId);      capture.changed(row.type, row.id, "DELETE", null, row.values, stamp, userId);
    }
    return outcomes;
  }

  /**
   * undelete: brings records back from the recycle bin with a new SystemModstamp. A live record
   * fails with UNDELETE_FAILED, an unknown one with INVALID_CROSS_REFERENCE_KEY.
   */
  synchronized List<Outcome> undelete(List<String> idList, boolean allOrNone, String userId, boolean locked) {
    capture.begin();
    var outcomes = new ArrayList<Outcome>();
    var toRestore = new ArrayList<Row>();
    boolean anyFailed = false;
    for (var id : idList) {
      SaveError error = null;
      var row = IdMinter.wellFormed(id) ? byId.get(IdMinter.normalize(id)) : null;
      if (locked) {
        error = lockError(id);
      } else if (!IdMinter.wellFormed(id)) {
        error = new SaveError("MALFORMED_ID", "malformed id " + id, List.of());
      } else if (row == null) {
        error = new SaveError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of());
      } else if (!row.deleted()) {
        error = new SaveError("UNDELETE_FAILED", "Entity is not in the recycle bin", List.of());
      } else if (!row.type.createable()) {
        error = new SaveError("INVALID_TYPE_FOR_OPERATION", row.type.name() + " can not be undeleted", List.of());
      }
      if (error != null) {
        outcomes.add(Outcome.failed(error));
        anyFailed = true;
      } else {
        outcomes.add(new Outcome(row.id, true, false, List.of()));
        toRestore.add(row);
      }
    }
    if (anyFailed && allOrNone) {
      return rolledBack(outcomes);
    }
    var stamp = stampNow();
    for (var row : toRestore) {
      row.deletedAt = null;
      row.values.put("IsDeleted", Boolean.FALSE);
      row.values.put("SystemModstamp", stamp);
      row.values.put("LastModifiedDate", stamp);
      row.values.put("LastModifiedById", userId);      capture.changed(row.type, row.id, "UNDELETE", null, row.values, stamp, userId);
    }
    return outcomes;
  }

  /** The objects merge() accepts, as in the partner API (Case is not served by the sandbox). */
  static final Set<String> MERGEABLE = Set.of("Account", "Contact", "Lead");

  /** One merge's result: the master's id, the losers deleted, the child records moved to the master. */
  record Merged(Outcome outcome, List<String> mergedIds, List<String> updatedRelatedIds) {}

  /**
   * merge: updates the master with the fields given, moves every record that points at a loser to
   * the master and deletes the losers, all in one save. At most two records merge into a master.
   */
  synchronized Merged merge(Input master, List<String> loserIds, String userId, boolean locked) {
    capture.begin();
    if (locked) {
      return failedMerge(lockError(master.id()));
    }
    if (master.id() == null || !IdMinter.wellFormed(master.id())) {
      return failedMerge(new SaveError("MALFORMED_ID", "the master record needs a valid Id: " + master.id(),
          List.of("Id")));
    }
    var masterRow = byId.get(IdMinter.normalize(master.id()));
    if (masterRow == null || masterRow.deleted()) {
      return failedMerge(new SaveError(masterRow == null ? "INVALID_CROSS_REFERENCE_KEY" : "ENTITY_IS_DELETED",
          masterRow == null ? "invalid cross reference id" : "entity is deleted", List.of()));
    }
    if (!MERGEABLE.contains(masterRow.type.name())) {
      return failedMerge(new SaveError("INVALID_TYPE", "merge is only available for Account, Contact and Lead, not "
          + masterRow.type.name(), List.of()));
    }
    if (master.type() != null && !master.type().equalsIgnoreCase(masterRow.type.name())) {
      return failedMerge(new SaveError("INVALID_TYPE", "the master record is a " + masterRow.type.name() + ", not a "
          + master.type(), List.of()));
    }
    if (loserIds.isEmpty() || loserIds.size() > 2) {
      return failedMerge(new SaveError("INVALID_ARGUMENT_TYPE",
          "a merge request names one or two records to merge into the master, not " + loserIds.size(), List.of()));
    }
    var losers = new ArrayList<Row>();
    for (var id : loserIds) {
      var row = IdMinter.wellFormed(id) ? byId.get(IdMinter.normalize(id)) : null;
      if (row == null) {
        return failedMerge(new SaveError(IdMinter.wellFormed(id) ? "INVALID_CROSS_REFERENCE_KEY" : "MALFORMED_ID",
            "invalid record to merge: " + id, List.of()));
      }
      if (row == masterRow) {
        return failedMerge(new SaveError("INVALID_ID_FIELD", "a record cannot be merged into itself: " + id, List.of()));
      }
      if (row.deleted()) {
        return failedMerge(new SaveError("ENTITY_IS_DELETED", "entity is deleted: " + id, List.of()));
      }
      if (row.type != masterRow.type) {
        return failedMerge(new SaveError("INVALID_TYPE", "records of different types cannot be merged: " + id,
            List.of()));
      }
      losers.add(row);
    }
    var staged = stageUpdate(new Input(masterRow.type.name(), masterRow.id, master.values(), master.fieldsToNull()));
    if (staged instanceof SaveError e) {
      return failedMerge(e);
    }
    var stamp = stampNow();
    write((Staged) staged, stamp, userId);
    var loserSet = new HashSet<String>();
    losers.forEach(l -> loserSet.add(l.id));
    var related = new ArrayList<String>();
    for (var row : byId.values()) {
      if (loserSet.contains(row.id) || row.type.name().equals("OpportunityHistory")) {
        continue;
      }
      boolean moved = false;
      Map<String, Object> before = null;
      for (var f : row.type.fields()) {
        if (f.type().equals("reference") && !f.name().equals("CreatedById") && !f.name().equals("LastModifiedById")
            && loserSet.contains(row.get(f.name()))) {
          if (before == null) {
            before = new HashMap<>(row.values);
          }
          row.values.put(f.name(), masterRow.id);
          moved = true;
        }
      }
      if (moved) {
        if (row.type.name().equals("Task") || row.type.name().equals("Event")) {
          deriveActivityAccount(row.values);
        }
        row.values.put("SystemModstamp", stamp);
        row.values.put("LastModifiedDate", stamp);
        row.values.put("LastModifiedById", userId);
        related.add(row.id);
        capture.changed(row.type, row.id, "UPDATE", before, row.values, stamp, userId);
      }
    }
    for (var l : losers) {
      l.deletedAt = clock.instant();
      l.values.put("IsDeleted", Boolean.TRUE);
      l.values.put("SystemModstamp", stamp);
      l.values.put("LastModifiedById", userId);      capture.changed(l.type, l.id, "DELETE", null, l.values, stamp, userId);
    }
    return new Merged(new Outcome(masterRow.id, true, false, List.of()), losers.stream().map(r -> r.id).toList(),
        List.copyOf(related));
  }

  private static Merged failedMerge(SaveError e) {
    return new Merged(Outcome.failed(e), List.of(), List.of());
  }

  /** One lead to convert, as a LeadConvert names it. */
  record LeadConversion(String leadId, String convertedStatus, String accountId, String contactId,
      boolean doNotCreateOpportunity, String opportunityName, String ownerId) {}

  /** A convertLead result: the records the lead became, or the error. */
  record Converted(String leadId, String accountId, String contactId, String opportunityId, List<SaveError> errors) {
    boolean success() {
      return errors.isEmpty();
    }
  }

  /**
   * convertLead: turns a lead into an account (or joins the one given), a contact (or merges into
   * the one given) and, unless told not to, an opportunity; the lead is marked converted with the
   * converted status. Either all of it is saved or nothing is.
   */
  synchronized Converted convertLead(LeadConversion c, String userId, boolean locked) {
    capture.begin();
    if (locked) {
      return failedConversion(c.leadId(), lockError(c.leadId()));
    }
    var lead = c.leadId() != null && IdMinter.wellFormed(c.leadId()) ? byId.get(IdMinter.normalize(c.leadId())) : null;
    if (lead == null || !lead.type.name().equals("Lead")) {
      return failedConversion(c.leadId(), new SaveError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id: "
          + c.leadId(), List.of("leadId")));
    }
    if (lead.deleted()) {
      return failedConversion(c.leadId(), new SaveError("ENTITY_IS_DELETED", "entity is deleted", List.of()));
    }
    if (Boolean.TRUE.equals(lead.get("IsConverted"))) {
      return failedConversion(c.leadId(), new SaveError("CANNOT_UPDATE_CONVERTED_LEAD",
          "cannot reference converted lead", List.of()));
    }
    if (c.convertedStatus() == null || c.convertedStatus().isBlank()) {
      return failedConversion(c.leadId(), new SaveError("REQUIRED_FIELD_MISSING",
          "Required fields are missing: [ConvertedStatus]", List.of("convertedStatus")));
    }
    if (!CONVERTED_STATUSES.contains(c.convertedStatus())) {
      return failedConversion(c.leadId(), new SaveError("INVALID_STATUS", "invalid convertedStatus: "
          + c.convertedStatus(), List.of("convertedStatus")));
    }
    Row account = null;
    if (c.accountId() != null) {
      account = IdMinter.wellFormed(c.accountId()) ? byId.get(IdMinter.normalize(c.accountId())) : null;
      if (account == null || account.deleted() || !account.type.name().equals("Account")) {
        return failedConversion(c.leadId(), new SaveError("INVALID_CROSS_REFERENCE_KEY",
            "invalid cross reference id: " + c.accountId(), List.of("accountId")));
      }
    }
    Row contact = null;
    if (c.contactId() != null) {
      contact = IdMinter.wellFormed(c.contactId()) ? byId.get(IdMinter.normalize(c.contactId())) : null;
      if (contact == null || contact.deleted() || !contact.type.name().equals("Contact")) {
        return failedConversion(c.leadId(), new SaveError("INVALID_CROSS_REFERENCE_KEY",
            "invalid cross reference id: " + c.contactId(), List.of("contactId")));
      }
      if (account == null || !account.id.equals(contact.get("AccountId"))) {
        return failedConversion(c.leadId(), new SaveError("INVALID_ID_FIELD",
            "the contact to merge the lead into must belong to the account given", List.of("contactId")));
      }
    }
    var owner = c.ownerId() != null ? c.ownerId() : (String) lead.get("OwnerId");
    var staged = new ArrayList<Staged>();
    Map<String, String> values;
    if (account == null) {
      values = new LinkedHashMap<>();
      values.put("Name", Objects.toString(lead.get("Company"), ""));
      putIfSet(values, "OwnerId", owner);
      var s = stageCreate(new Input("Account", null, values, List.of()));
      if (s instanceof SaveError e) {
        return failedConversion(c.leadId(), e);
      }
      staged.add((Staged) s);
    }
    if (contact == null) {
      values = new LinkedHashMap<>();
      putIfSet(values, "FirstName", (String) lead.get("FirstName"));
      putIfSet(values, "LastName", (String) lead.get("LastName"));
      putIfSet(values, "Email", (String) lead.get("Email"));
      putIfSet(values, "Title", (String) lead.get("Title"));
      putIfSet(values, "OwnerId", owner);
      var s = stageCreate(new Input("Contact", null, values, List.of()));
      if (s instanceof SaveError e) {
        return failedConversion(c.leadId(), e);
      }
      staged.add((Staged) s);
    }
    Staged opportunity = null;
    if (!c.doNotCreateOpportunity()) {
      values = new LinkedHashMap<>();
      var name = c.opportunityName() != null ? c.opportunityName() : lead.get("Company") + "-";
      values.put("Name", name);
      values.put("StageName", schema.stages().openLabels().get(0));
      values.put("CloseDate", DateLiterals.quarterStart(LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC), 1)
          .plusMonths(3).minusDays(1).toString());
      putIfSet(values, "OwnerId", owner);
      var s = stageCreate(new Input("Opportunity", null, values, List.of()));
      if (s instanceof SaveError e) {
        return failedConversion(c.leadId(), e);
      }
      opportunity = (Staged) s;
    }
    var leadValues = new LinkedHashMap<String, String>();
    leadValues.put("Status", c.convertedStatus());
    var leadStage = stageUpdate(new Input("Lead", lead.id, leadValues, List.of()));
    if (leadStage instanceof SaveError e) {
      return failedConversion(c.leadId(), e);
    }
    var stamp = stampNow();
    String accountId = account != null ? account.id : null;
    String contactId = contact != null ? contact.id : null;
    for (var s : staged) {
      if (s.type().name().equals("Contact")) {
        s.after().put("AccountId", accountId);
        contactId = write(s, stamp, userId);
      } else {
        accountId = write(s, stamp, userId);
      }
    }
    String opportunityId = null;
    if (opportunity != null) {
      opportunity.after().put("AccountId", accountId);
      opportunityId = write(opportunity, stamp, userId);
    }
    ((Staged) leadStage).after().put("IsConverted", Boolean.TRUE);
    write((Staged) leadStage, stamp, userId);
    return new Converted(lead.id, accountId, contactId, opportunityId, List.of());
  }

  /** The Lead Status values marked Converted in the sandbox's lead process. */
  static final Set<String> CONVERTED_STATUSES = Set.of("Closed - Converted");

  private static void putIfSet(Map<String, String> values, String key, String value) {
    if (value != null && !value.isEmpty()) {
      values.put(key, value);
    }
  }

  private static Converted failedConversion(String leadId, SaveError e) {
    return new Converted(leadId, null, null, null, List.of(e));
  }

  private List<Outcome> rolledBack(List<Outcome> outcomes) {
    var out = new ArrayList<Outcome>();
    for (var o : outcomes) {
      out.add(o.success()
          ? Outcome.failed(new SaveError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
              "Record rolled back because not all records were valid and the request was using AllOrNone header",
              List.of()))
          : o);
    }
    return out;
  }

  private SaveError lockError(String id) {
    return new SaveError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records: "
        + (id == null ? "" : id), List.of());
  }

  private ObjectDef objectOrFault(String type) {
    return schema.object(type == null ? "" : type)
        .orElseThrow(() -> new CallFault("INVALID_TYPE", "InvalidSObjectFault",
            "sObject type '" + type + "' is not supported."));
  }

  private Object stageCreate(Input in) {
    var def = objectOrFault(in.type());
    if (!def.createable()) {
      return new SaveError("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", def.name() + " is not createable", List.of());
    }
    if (in.id() != null && !in.id().isEmpty()) {
      return new SaveError("INVALID_FIELD_FOR_INSERT_UPDATE", "cannot specify Id in an insert call", List.of("Id"));
    }
    var after = new HashMap<String, Object>();
    var explicit = new HashSet<String>();
    var err = applyValues(def, in, after, explicit, true);
    if (err != null) {
      return err;
    }
    for (var req : def.requiredOnCreate()) {
      var v = after.get(req);
      if (v == null || (v instanceof String s && s.isEmpty())) {
        return new SaveError("REQUIRED_FIELD_MISSING", "Required fields are missing: [" + req + "]", List.of(req));
      }
    }
    return finishStage(new Staged(null, def, after, explicit));
  }

  private Object stageUpdate(Input in) {
    if (in.id() == null || !IdMinter.wellFormed(in.id())) {
      return new SaveError("MALFORMED_ID", "Record ID: id value of incorrect type: " + in.id(), List.of("Id"));
    }
    var row = byId.get(IdMinter.normalize(in.id()));
    if (row == null) {
      return new SaveError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", List.of());
    }
    if (row.deleted()) {
      return new SaveError("ENTITY_IS_DELETED", "entity is deleted", List.of());
    }
    if (in.type() != null && !in.type().equalsIgnoreCase(row.type.name())) {
      return new SaveError("MALFORMED_ID", "Id " + in.id() + " is not a " + in.type(), List.of("Id"));
    }
    var after = new HashMap<>(row.values);
    var explicit = new HashSet<String>();
    var err = applyValues(row.type, in, after, explicit, false);
    if (err != null) {
      return err;
    }
    return finishStage(new Staged(row, row.type, after, explicit));
  }

  private SaveError applyValues(ObjectDef def, Input in, Map<String, Object> after, Set<String> explicit,
      boolean create) {
    for (var e : in.values().entrySet()) {
      if (e.getKey().equalsIgnoreCase("Id")) {
        continue;
      }
      var f = def.field(e.getKey()).orElse(null);
      if (f == null) {
        return new SaveError("INVALID_FIELD", "No such column '" + e.getKey() + "' on sobject of type " + def.name(),
            List.of(e.getKey()));
      }
      if (create ? !f.createable() : !f.updateable()) {
        return new SaveError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: " + f.name()
            + ". Please check the security settings of this field and verify that it is read/write for your profile or permission set.",
            List.of(f.name()));
      }
      Object v;
      try {
        v = WireFormat.parse(f, e.getValue());
      } catch (IllegalArgumentException ex) {
        return new SaveError("INVALID_TYPE_ON_FIELD_IN_RECORD", f.label() + ": value not of required type: " + e.getValue(),
            List.of(f.name()));
      }
      if (v instanceof String s && f.length() > 0 && s.length() > f.length()) {
        return new SaveError("STRING_TOO_LONG", f.label() + ": data value too large: " + s.substring(0, 20)
            + "... (max length=" + f.length() + ")", List.of(f.name()));
      }
      after.put(f.name(), v);
      explicit.add(f.name());
    }
    for (var n : in.fieldsToNull()) {
      var f = def.field(n).orElse(null);
      if (f == null || !f.updateable()) {
        return new SaveError("INVALID_FIELD", "No such column '" + n + "' on sobject of type " + def.name(), List.of(n));
      }
      after.put(f.name(), null);
      explicit.add(f.name());
    }
    return null;
  }

  private Object finishStage(Staged s) {
    if (s.type().name().equals("Opportunity")) {
      var stage = (String) s.after().get("StageName");
      if (stage != null && schema.stages().byLabel(stage).isEmpty()) {
        return new SaveError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            "Stage: bad value for restricted picklist field: " + stage, List.of("StageName"));
      }
      deriveOpportunity(schema.stages(), s.after(), s.existing() == null ? null : s.existing().values, s.explicit());
    }
    if (s.existing() == null) {
      defaultCurrency(s.type(), s.after());
    }
    if (s.after().containsKey("LastName")) {
      s.after().put("Name", fullName(s.after()));
    }
    if (s.type().name().equals("Task") || s.type().name().equals("Event")) {
      deriveActivityAccount(s.after());
    }
    for (var rule : rules) {
      if (rule.object().equalsIgnoreCase(s.type().name()) && rule.failsWhen().test(s.after())) {
        return new SaveError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.message(), List.of());
      }
    }
    for (var f : s.type().fields()) {
      if (f.unique() && f.externalId()) {
        var v = s.after().get(f.name());
        if (v != null && s.explicit().contains(f.name())) {
          for (var r : scan(s.type().name(), false)) {
            if (r != s.existing() && v.toString().equalsIgnoreCase(Objects.toString(r.get(f.name()), null))) {
              return new SaveError("DUPLICATE_VALUE", "duplicate value found: " + f.name()
                  + " duplicates value on record with id: " + r.id, List.of(f.name()));
            }
          }
        }
      }
    }
    return s;
  }

  private List<Outcome> commit(List<Object> staged, boolean allOrNone, String userId, boolean locked) {
    var outcomes = new ArrayList<Outcome>();
    boolean anyFailed = false;
    for (var s : staged) {
      if (locked) {
        outcomes.add(Outcome.failed(lockError(s instanceof Staged st && st.existing() != null ? st.existing().id : null)));
        anyFailed = true;
      } else if (s instanceof SaveError e) {
        outcomes.add(Outcome.failed(e));
        anyFailed = true;
      } else {
        outcomes.add(new Outcome(null, true, ((Staged) s).existing() == null, List.of()));
      }
    }
    if (anyFailed && allOrNone) {
      return rolledBack(outcomes);
    }
    var stamp = stampNow();
    var result = new ArrayList<Outcome>();
    for (int i = 0; i < staged.size(); i++) {
      if (staged.get(i) instanceof Staged s && outcomes.get(i).success()) {
        result.add(new Outcome(write(s, stamp, userId), true, s.existing() == null, List.of()));
      } else {
        result.add(outcomes.get(i));
      }
    }
    return result;
  }

  private String write(Staged s, Instant stamp, String userId) {
    var row = s.existing();
    Map<String, Object> before = null;
    if (row == null) {
      row = new Row(ids.next(s.type().keyPrefix()), s.type());
      s.after().put("Id", row.id);
      s.after().put("IsDeleted", Boolean.FALSE);
      s.after().put("CreatedDate", stamp);
      s.after().put("CreatedById", userId);
      if (s.after().get("OwnerId") == null && s.type().field("OwnerId").isPresent()) {
        s.after().put("OwnerId", userId);
      }
      put(row);
    } else {
      before = new HashMap<>(row.values);
    }
    row.values.clear();
    row.values.putAll(s.after());
    row.values.put("LastModifiedDate", stamp);
    row.values.put("LastModifiedById", userId);
    row.values.put("SystemModstamp", stamp);
    if (s.type().name().equals("Opportunity")
        && (before == null || !Objects.equals(before.get("StageName"), row.values.get("StageName")))) {
      row.values.put("LastStageChangeDate", stamp);
    }
    if (s.type().name().equals("Opportunity") && historyChanged(before, row.values)) {
      addHistory(row, stamp, userId);
    }
    if (s.type().name().equals("PermissionSetAssignment")) {
      onAssignment.accept(row);
    }
    capture.changed(row.type, row.id, before == null ? "CREATE" : "UPDATE", before, row.values, stamp, userId);
    return row.id;
  }

  private static boolean historyChanged(Map<String, Object> before, Map<String, Object> after) {
    if (before == null) {
      return true;
    }
    for (var f : List.of("StageName", "Amount", "CloseDate", "Probability")) {
      if (!Objects.equals(norm(before.get(f)), norm(after.get(f)))) {
        return true;
      }
    }
    return false;
  }

  private static Object norm(Object v) {
    return v instanceof BigDecimal d ? d.stripTrailingZeros() : v;
  }

  private volatile String corporateCurrency;

  /** The corporate currency of a multi-currency org: the currency of records created without one. */
  void defaultCurrency(String code) {
    this.corporateCurrency = code;
  }

  private volatile String orgCurrency = "USD";

  /** The one currency of a single-currency org. */
  void orgCurrency(String code) {
    this.orgCurrency = code;
  }

  String orgCurrency() {
    return orgCurrency;
  }

  /** The corporate currency when multi-currency is on; empty in a single-currency org. */
  java.util.Optional<String> corporateCurrency() {
    return java.util.Optional.ofNullable(corporateCurrency);
  }

  /** Whether the org has multi-currency on, and which currencies its CurrencyType rows list. */
  java.util.Set<String> currencies() {
    if (corporateCurrency == null) {
      return java.util.Set.of();
    }
    var out = new java.util.TreeSet<String>();
    scan("CurrencyType", false).forEach(r -> out.add(String.valueOf(r.get("IsoCode"))));
    return out;
  }

  private void defaultCurrency(OrgSchema.ObjectDef def, Map<String, Object> values) {
    if (corporateCurrency != null && def.field("CurrencyIsoCode").isPresent() && !def.name().equals("CurrencyType")
        && !def.name().equals("DatedConversionRate") && values.get("CurrencyIsoCode") == null) {
      values.put("CurrencyIsoCode", corporateCurrency);
    }
  }

  void addHistory(Row opp, Instant stamp, String userId) {
    var h = new Row(ids.next("008"), schema.object("OpportunityHistory").orElseThrow());
    h.values.put("Id", h.id);
    h.values.put("IsDeleted", Boolean.FALSE);
    h.values.put("OpportunityId", opp.id);
    h.values.put("StageName", opp.get("StageName"));
    h.values.put("Amount", opp.get("Amount"));
    h.values.put("CloseDate", opp.get("CloseDate"));
    h.values.put("Probability", opp.get("Probability"));
    h.values.put("ForecastCategory", opp.get("ForecastCategoryName"));
    if (h.type.field("CurrencyIsoCode").isPresent()) {
      h.values.put("CurrencyIsoCode", opp.get("CurrencyIsoCode"));
    }
    h.values.put("CreatedDate", stamp);
    h.values.put("CreatedById", userId);
    h.values.put("LastModifiedDate", stamp);
    h.values.put("LastModifiedById", userId);
    h.values.put("SystemModstamp", stamp);
    put(h);
  }

  /**
   * Task and Event AccountId, as Salesforce derives it: the account named by WhatId, or the account
   * of the opportunity it names, or else the account of the contact in WhoId.
   */
  void deriveActivityAccount(Map<String, Object> values) {
    Object account = null;
    var what = (String) values.get("WhatId");
    if (what != null && what.startsWith("001")) {
      account = what;
    } else if (what != null && what.startsWith("006")) {
      account = find(what).map(r -> r.values.get("AccountId")).orElse(null);
    }
    var who = (String) values.get("WhoId");
    if (account == null && who != null && who.startsWith("003")) {
      account = find(who).map(r -> r.values.get("AccountId")).orElse(null);
    }
    values.put("AccountId", account);
  }

  /** IsClosed, IsWon, Probability and ForecastCategoryName follow StageName (as the org's stages set them) unless the caller set them. */
  static void deriveOpportunity(OrgStages stages, Map<String, Object> after, Map<String, Object> before, Set<String> explicit) {
    var stageName = (String) after.get("StageName");
    var stage = stageName == null ? Optional.<OrgStages.StageDef>empty() : stages.byLabel(stageName);
    if (stage.isEmpty()) {
      return;
    }
    var s = stage.get();
    after.put("StageName", s.label());
    after.put("IsClosed", s.closed());
    after.put("IsWon", s.won());
    boolean stageChanged = before == null || !Objects.equals(before.get("StageName"), s.label());
    if (stageChanged && !explicit.contains("Probability") || after.get("Probability") == null) {
      after.put("Probability", BigDecimal.valueOf(s.probability()));
    }
    if (stageChanged && !explicit.contains("ForecastCategoryName") || after.get("ForecastCategoryName") == null) {
      after.put("ForecastCategoryName", s.forecastCategory());
    }
  }

  private static String fullName(Map<String, Object> v) {
    var first = (String) v.get("FirstName");
    var last = (String) v.get("LastName");
    return first == null || first.isEmpty() ? last : first + " " + last;
  }

  private static String valueIgnoringCase(Map<String, String> values, String key) {
    for (var e : values.entrySet()) {
      if (e.getKey().equalsIgnoreCase(key)) {
        return e.getValue();
      }
    }
    return null;
  }

  // ---- replication ----

  /** getUpdated: ids whose SystemModstamp falls in [start, end), live records only. */
  synchronized List<String> updatedIds(String type, Instant start, Instant end) {
    var out = new ArrayList<String>();
    for (var r : scan(type, false)) {
      var s = r.stamp();
      if (!s.isBefore(start) && s.isBefore(end)) {
        out.add(r.id);
      }
    }
    return out;
  }

  /** getDeleted: records moved to the recycle bin in [start, end). */
  synchronized List<Row> deletedRows(String type, Instant start, Instant end) {
    var out = new ArrayList<Row>();
    for (var r : scan(type, true)) {
      if (r.deleted() && !r.deletedAt.isBefore(start) && r.deletedAt.isBefore(end)) {
        out.add(r);
      }
    }
    return out;
  }
}
