package io.salesos.salesforce.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The sObjects and fields the sandbox org knows, with the flags describeSObject reports and the
 * DML checks read (createable, updateable, external id, required on create, length).
 */
final class OrgSchema {

  /** One field of an sObject. {@code type} is the describe type (string, currency, reference...). */
  record FieldDef(
      String name, String label, String type, boolean custom, boolean createable, boolean updateable,
      boolean nillable, boolean externalId, boolean unique, int length, List<String> referenceTo,
      List<String> picklist, boolean calculated) {

    String soapType() {
      return switch (type) {
        case "id", "reference" -> "tns:ID";
        case "currency", "double", "percent" -> "xsd:double";
        case "int" -> "xsd:int";
        case "boolean" -> "xsd:boolean";
        case "date" -> "xsd:date";
        case "datetime" -> "xsd:dateTime";
        default -> "xsd:string";
      };
    }

    boolean idLookup() {
      return externalId || name.equals("Id");
    }

    boolean numeric() {
      return type.equals("currency") || type.equals("double") || type.equals("percent") || type.equals("int");
    }
  }

  /**
   * One sObject with its key prefix and fields (by name, case-insensitively). The field list is
   * shared with every row of the object, so a field added through the Metadata API is there for
   * records old and new at once; it is safe to read while a field is added.
   */
  record ObjectDef(
      String name, String label, String keyPrefix, boolean createable, boolean updateable,
      boolean custom, List<FieldDef> fields, List<String> requiredOnCreate) {

    Optional<FieldDef> field(String fieldName) {
      for (var f : fields) {
        if (f.name().equalsIgnoreCase(fieldName)) {
          return Optional.of(f);
        }
      }
      return Optional.empty();
    }
  }

  /** The custom fields salesos writes; absent in a bare org, created by `salesos schema prepare`. */
  static final List<String> SALESOS_FIELDS = List.of("Salesos_Flags__c", "Salesos_Forecast_Category__c", "Salesos_Key__c");

  private final Map<String, ObjectDef> objects = new LinkedHashMap<>();
  // custom fields created through the Metadata API that no permission set of the integration user
  // grants yet: field-level security hides them from describe, queries and saves, as in Salesforce
  private final Map<String, FieldDef> hidden = new LinkedHashMap<>();
  private final boolean bare;
  private final boolean stock;
  private final OrgStages stages;

  OrgSchema() {
    this(false, false);
  }

  /**
   * The org's schema; {@code bare} leaves out the fields salesos writes, as in an org before
   * salesos; {@code stock} leaves out every custom field (salesos's and the demo org's inputs), as
   * in an org as Salesforce ships it.
   */
  OrgSchema(boolean bare, boolean stock) {
    this.bare = bare || stock;
    this.stock = stock;
    this.stages = stock ? OrgStages.stock() : OrgStages.demo();
    add(new Builder("User", "User", "005").createable(true)
        .f("Username", "string", 80).f("FirstName", "string", 40).f("LastName", "string", 80)
        .ro("Name", "string").f("Email", "email", 128).f("Title", "string", 80)
        .f("IsActive", "boolean", 0).ref("ManagerId", "User").f("Division", "string", 80)
        .f("Street", "textarea", 255).f("City", "string", 40).f("State", "string", 80)
        .f("Latitude", "double", 0).f("Longitude", "double", 0).f("TimeZoneSidKey", "picklist", 0)
        .custom("Sales_Role__c", "picklist", 0, "VP", "Manager", "Rep")
        .custom("Urban__c", "boolean", 0)
        .required("LastName", "Username", "Email"));
    add(new Builder("Account", "Account", "001").createable(true)
        .f("Name", "string", 255).ref("OwnerId", "User").f("Industry", "picklist", 0).f("Type", "picklist", 0)
        .f("Phone", "phone", 40).f("BillingStreet", "textarea", 255).f("BillingCity", "string", 40)
        .f("BillingState", "string", 80).f("BillingPostalCode", "string", 20).f("BillingCountry", "string", 80)
        .f("BillingLatitude", "double", 0).f("BillingLongitude", "double", 0)
        .custom("Opening_Hours__c", "string", 255).custom("Tier__c", "picklist", 0, "A", "B", "C")
        .custom("Visit_Every_Days__c", "double", 0)
        .required("Name"));
    add(new Builder("Contact", "Contact", "003").createable(true)
        .ref("AccountId", "Account").ref("OwnerId", "User").f("FirstName", "string", 40)
        .f("LastName", "string", 80).ro("Name", "string").f("Email", "email", 80).f("Title", "string", 128)
        .f("Phone", "phone", 40)
        .custom("Buying_Role__c", "picklist", 0, "Economic Buyer", "Champion", "Technical Buyer", "User", "Influencer")
        .required("LastName"));
    add(new Builder("Lead", "Lead", "00Q").createable(true)
        .ref("OwnerId", "User").f("FirstName", "string", 40).f("LastName", "string", 80).ro("Name", "string")
        .f("Company", "string", 255).f("Email", "email", 80).f("Title", "string", 128)
        .f("Status", "picklist", 0).ro("IsConverted", "boolean")
        .required("LastName", "Company"));
    add(new Builder("Opportunity", "Opportunity", "006").createable(true)
        .f("Name", "string", 120).ref("AccountId", "Account").ref("OwnerId", "User")
        .f("StageName", "picklist", 0).f("Amount", "currency", 0).f("CloseDate", "date", 0)
        .f("Probability", "percent", 0).f("ForecastCategoryName", "picklist", 0)
        .ro("IsClosed", "boolean").ro("IsWon", "boolean").f("NextStep", "string", 255).f("Type", "picklist", 0)
        .ro("LastActivityDate", "date").ro("LastStageChangeDate", "datetime")
        .custom("Next_Step_Date__c", "date", 0).custom("Mutual_Action_Plan__c", "textarea", 32768)
        .custom("Salesos_Flags__c", "textarea", 32768)
        .custom("Salesos_Forecast_Category__c", "picklist", 0, "Omitted", "Pipeline", "Best Case", "Commit", "Closed")
        .formula("Days_Open__c", "double")
        .required("Name", "StageName", "CloseDate"));
    add(new Builder("OpportunityContactRole", "Opportunity Contact Role", "00K").createable(true)
        .ref("OpportunityId", "Opportunity").ref("ContactId", "Contact").f("Role", "picklist", 0)
        .f("IsPrimary", "boolean", 0)
        .required("OpportunityId", "ContactId"));
    add(new Builder("OpportunityHistory", "Opportunity History", "008").createable(false)
        .ro("OpportunityId", "reference").ro("StageName", "picklist").ro("Amount", "currency")
        .ro("CloseDate", "date").ro("Probability", "percent").ro("ForecastCategory", "picklist"));
    add(new Builder("Task", "Task", "00T").createable(true)
        .ref("WhatId", "Opportunity", "Account").ref("WhoId", "Contact", "Lead").ref("OwnerId", "User")
        .ro("AccountId", "reference")
        .f("Subject", "string", 255).f("ActivityDate", "date", 0).f("Status", "picklist", 0)
        .f("Priority", "picklist", 0).f("Type", "picklist", 0).f("Description", "textarea", 32000)
        .externalId("Salesos_Key__c", 255));
    add(new Builder("Event", "Event", "00U").createable(true)
        .ref("WhatId", "Opportunity", "Account").ref("WhoId", "Contact", "Lead").ref("OwnerId", "User")
        .ro("AccountId", "reference")
        .f("Subject", "string", 255).f("StartDateTime", "datetime", 0).f("EndDateTime", "datetime", 0)
        .f("Location", "string", 255).f("Type", "picklist", 0).f("Description", "textarea", 32000)
        .custom("Status__c", "picklist", 0, "Planned", "Completed", "Cancelled")
        .custom("Check_In_Latitude__c", "double", 0).custom("Check_In_Longitude__c", "double", 0)
        .externalId("Salesos_Key__c", 255)
        .required("StartDateTime", "EndDateTime"));
    // the org itself: one row, read by query() and retrieve(), never created, updated or deleted by the API
    add(new Builder("Organization", "Organization", "00D").createable(false)
        .ro("Name", "string").ro("FiscalYearStartMonth", "int").ro("UsesStartDateAsFiscalYearName", "boolean")
        .ro("TimeZoneSidKey", "picklist").ro("DefaultLocaleSidKey", "picklist").ro("LanguageLocaleKey", "picklist")
        .ro("OrganizationType", "picklist").ro("IsSandbox", "boolean"));
    // the settings of each Opportunity.StageName value (Setup's stage table), read-only through the API
    add(new Builder("OpportunityStage", "Opportunity Stage", "01J").createable(false)
        .ro("ApiName", "string").ro("MasterLabel", "string").ro("SortOrder", "int").ro("DefaultProbability", "percent")
        .ro("ForecastCategoryName", "picklist").ro("ForecastCategory", "picklist").ro("IsClosed", "boolean")
        .ro("IsWon", "boolean").ro("IsActive", "boolean").ro("Description", "string"));
    add(new Builder("PermissionSet", "Permission Set", "0PS").createable(true)
        .f("Name", "string", 80).f("Label", "string", 80).f("Description", "textarea", 255)
        .ro("IsOwnedByProfile", "boolean")
        .required("Name", "Label"));
    add(new Builder("PermissionSetAssignment", "Permission Set Assignment", "0Pa").createable(true)
        .ref("AssigneeId", "User").ref("PermissionSetId", "PermissionSet")
        .required("AssigneeId", "PermissionSetId"));
  }

  /**
   * Turns multi-currency on, as Salesforce Support does for an org: a {@code CurrencyIsoCode}
   * picklist of the org's {@code codes} on every object with amounts (and on OpportunityHistory,
   * read only), the CurrencyType object, and with {@code dated} (advanced currency management) the
   * DatedConversionRate object.
   */
  synchronized void multiCurrency(List<String> codes, boolean dated) {
    for (var name : List.of("Account", "Opportunity", "User")) {
      objects.get(name.toLowerCase(Locale.ROOT)).fields().add(new FieldDef("CurrencyIsoCode", "Currency ISO Code",
          "picklist", false, true, true, false, false, false, 3, List.of(), List.copyOf(codes), false));
    }
    objects.get("opportunityhistory").fields().add(new FieldDef("CurrencyIsoCode", "Currency ISO Code", "picklist", false,
        false, false, true, false, false, 3, List.of(), List.copyOf(codes), false));
    add(new Builder("CurrencyType", "Currency Type", "02c").createable(true)
        .pick("IsoCode", codes).f("ConversionRate", "double", 0).f("DecimalPlaces", "int", 0)
        .f("IsActive", "boolean", 0).f("IsCorporate", "boolean", 0)
        .required("IsoCode", "ConversionRate", "DecimalPlaces"));
    if (dated) {
      add(new Builder("DatedConversionRate", "Dated Conversion Rate", "04w").createable(true)
          .pick("IsoCode", codes).f("ConversionRate", "double", 0).f("StartDate", "date", 0).ro("NextStartDate", "date")
          .required("IsoCode", "ConversionRate", "StartDate"));
    }
  }

  private void add(Builder b) {
    if (bare) {
      b.fields.removeIf(f -> SALESOS_FIELDS.contains(f.name()));
    }
    if (stock) {
      b.fields.removeIf(FieldDef::custom);
    }
    var def = b.build();
    objects.put(def.name().toLowerCase(Locale.ROOT), def);
  }

  /** Adds a custom field visible to every user (as Setup's wizard does); false when the name is taken. */
  synchronized boolean addField(String objectName, FieldDef field) {
    var def = objects.get(objectName.toLowerCase(Locale.ROOT));
    if (def == null || defines(objectName, field.name())) {
      return false;
    }
    def.fields().add(field);
    return true;
  }

  /** Whether the org defines the field at all, visible to the integration user or not. */
  synchronized boolean defines(String objectName, String fieldName) {
    var def = objects.get(objectName.toLowerCase(Locale.ROOT));
    return def != null && (def.field(fieldName).isPresent() || hidden.containsKey(key(objectName, fieldName)));
  }

  /** Adds a field that field-level security hides until a permission set grants it (Metadata API). */
  synchronized boolean addHidden(String objectName, FieldDef field) {
    if (objects.get(objectName.toLowerCase(Locale.ROOT)) == null || defines(objectName, field.name())) {
      return false;
    }
    hidden.put(key(objectName, field.name()), field);
    return true;
  }

  /**
   * Field-level security granted to the integration user for a hidden field: it becomes visible,
   * and writable when {@code editable}. Fields already visible are left as they are.
   */
  synchronized void grant(String objectName, String fieldName, boolean editable) {
    var field = hidden.remove(key(objectName, fieldName));
    if (field == null) {
      return;
    }
    var shown = editable ? field : new FieldDef(field.name(), field.label(), field.type(), field.custom(), false, false,
        field.nillable(), field.externalId(), field.unique(), field.length(), field.referenceTo(), field.picklist(),
        field.calculated());
    objects.get(objectName.toLowerCase(Locale.ROOT)).fields().add(shown);
  }

  /**
   * Adds a custom object as Setup's object wizard does: the system fields, a Name text field, an
   * OwnerId, and {@code fields}; false when the name or key prefix is taken.
   */
  synchronized boolean addCustomObject(String name, String label, String keyPrefix, List<FieldDef> fields) {
    if (objects.containsKey(name.toLowerCase(Locale.ROOT))
        || objects.values().stream().anyMatch(o -> o.keyPrefix().equals(keyPrefix))) {
      return false;
    }
    var b = new Builder(name, label, keyPrefix).createable(true).f("Name", "string", 80).ref("OwnerId", "User");
    b.fields.addAll(fields);
    var built = b.build();
    objects.put(name.toLowerCase(Locale.ROOT), new ObjectDef(built.name(), built.label(), built.keyPrefix(), true, true, true,
        built.fields(), built.requiredOnCreate()));
    return true;
  }

  /** Replaces a field's definition (Setup's "Change Field Type"), answering the old one; empty when there is no such field. */
  synchronized Optional<FieldDef> replaceField(String objectName, FieldDef field) {
    var def = objects.get(objectName.toLowerCase(Locale.ROOT));
    if (def == null) {
      return Optional.empty();
    }
    var old = def.field(field.name());
    old.ifPresent(o -> def.fields().replaceAll(f -> f == o ? field : f));
    return old;
  }

  private static String key(String objectName, String fieldName) {
    return objectName.toLowerCase(Locale.ROOT) + "." + fieldName.toLowerCase(Locale.ROOT);
  }

  /** The org's opportunity stages (the demo's, or a stock org's). */
  OrgStages stages() {
    return stages;
  }

  Optional<ObjectDef> object(String name) {
    return Optional.ofNullable(objects.get(name.toLowerCase(Locale.ROOT)));
  }

  List<ObjectDef> objects() {
    return List.copyOf(objects.values());
  }

  /** Collects one object's fields, starting with the system fields every sObject carries. */
  private static final class Builder {
    private final String name;
    private final String label;
    private final String prefix;
    private boolean createable;
    private final List<FieldDef> fields = new ArrayList<>();
    private final List<String> required = new ArrayList<>();

    Builder(String name, String label, String prefix) {
      this.name = name;
      this.label = label;
      this.prefix = prefix;
      fields.add(new FieldDef("Id", label + " ID", "id", false, false, false, false, false, true, 18,
          List.of(), List.of(), false));
      fields.add(sys("IsDeleted", "boolean"));
      fields.add(sys("CreatedDate", "datetime"));
      fields.add(new FieldDef("CreatedById", "Created By ID", "reference", false, false, false, false, false,
          false, 18, List.of("User"), List.of(), false));
      fields.add(sys("LastModifiedDate", "datetime"));
      fields.add(new FieldDef("LastModifiedById", "Last Modified By ID", "reference", false, false, false,
          false, false, false, 18, List.of("User"), List.of(), false));
      fields.add(sys("SystemModstamp", "datetime"));
    }

    private static FieldDef sys(String n, String type) {
      return new FieldDef(n, n, type, false, false, false, false, false, false, 0, List.of(), List.of(), false);
    }

    Builder createable(boolean c) {
      this.createable = c;
      return this;
    }

    Builder f(String n, String type, int length) {
      fields.add(new FieldDef(n, n, type, false, true, true, true, false, false, length, List.of(), List.of(), false));
      return this;
    }

    Builder ro(String n, String type) {
      fields.add(new FieldDef(n, n, type, false, false, false, true, false, false, 0,
          type.equals("reference") ? List.of("Opportunity") : List.of(), List.of(), false));
      return this;
    }

    Builder ref(String n, String... targets) {
      fields.add(new FieldDef(n, n, "reference", false, true, true, true, false, false, 18, List.of(targets),
          List.of(), false));
      return this;
    }

    Builder custom(String n, String type, int length, String... picklist) {
      fields.add(new FieldDef(n, n.replace("__c", "").replace('_', ' '), type, true, true, true, true, false, false,
          length, List.of(), List.of(picklist), false));
      return this;
    }

    Builder externalId(String n, int length) {
      fields.add(new FieldDef(n, n.replace("__c", "").replace('_', ' '), "string", true, true, true, true, true,
          true, length, List.of(), List.of(), false));
      return this;
    }

    Builder formula(String n, String type) {
      fields.add(new FieldDef(n, n.replace("__c", "").replace('_', ' '), type, true, false, false, true, false,
          false, 0, List.of(), List.of(), true));
      return this;
    }

    Builder pick(String n, List<String> values) {
      fields.add(new FieldDef(n, n, "picklist", false, true, true, false, false, false, 0, List.of(), List.copyOf(values),
          false));
      return this;
    }

    Builder required(String... names) {
      required.addAll(List.of(names));
      return this;
    }

    ObjectDef build() {
      return new ObjectDef(name, label, prefix, createable, createable, false,
          new java.util.concurrent.CopyOnWriteArrayList<>(fields), List.copyOf(required));
    }
  }
}
