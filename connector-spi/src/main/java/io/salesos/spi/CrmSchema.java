package io.salesos.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The CRM's objects and their fields, as a connector describes them. */
public record CrmSchema(List<CrmObject> objects) {

  public CrmSchema {
    objects = List.copyOf(Objects.requireNonNull(objects, "objects"));
  }

  public Optional<CrmObject> object(String name) {
    return objects.stream().filter(o -> o.name().equalsIgnoreCase(name)).findFirst();
  }

  /** One CRM object (Salesforce sObject or HubSpot object type). */
  public record CrmObject(String name, String label, List<CrmField> fields) {
    public CrmObject {
      Objects.requireNonNull(name, "name");
      label = label == null ? name : label;
      fields = List.copyOf(Objects.requireNonNull(fields, "fields"));
    }

    public Optional<CrmField> field(String fieldName) {
      return fields.stream().filter(f -> f.name().equalsIgnoreCase(fieldName)).findFirst();
    }
  }

  /**
   * One field of a CRM object. {@code type} is the CRM's own type name (Salesforce {@code
   * currency}, HubSpot {@code number}); {@code unique} marks fields usable as an upsert key;
   * {@code picklistValues} are the values a picklist (enumeration) offers, empty for other fields.
   */
  public record CrmField(
      String name, String label, String type, boolean updateable, boolean unique, boolean custom,
      List<String> picklistValues) {
    public CrmField {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
      label = label == null ? name : label;
      picklistValues = List.copyOf(Objects.requireNonNull(picklistValues, "picklistValues"));
    }

    /** A field that is not a picklist. */
    public CrmField(String name, String label, String type, boolean updateable, boolean unique, boolean custom) {
      this(name, label, type, updateable, unique, custom, List.of());
    }
  }
}
