package io.salesos.spi;

import io.salesos.model.FieldType;
import java.util.List;
import java.util.Objects;

/**
 * A CRM field salesos writes, as it must exist for those writes to succeed: on which CRM object,
 * its CRM name, a label for the CRM's setup pages, the canonical type of the values written, the
 * CRM values a picklist must offer (empty: free text or a number), and whether it is the external
 * id salesos upserts by (unique, usable as an upsert key).
 */
public record FieldSpec(
    String crmObject, String name, String label, FieldType type, List<String> values, boolean externalKey,
    String description) {

  public FieldSpec {
    Objects.requireNonNull(crmObject, "crmObject");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    label = label == null || label.isBlank() ? name : label;
    values = List.copyOf(Objects.requireNonNull(values, "values"));
    description = description == null ? "" : description;
  }

  /** {@code Object.field}, as people write it. */
  public String qualifiedName() {
    return crmObject + "." + name;
  }
}
