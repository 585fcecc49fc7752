package io.salesos.schema;

import io.salesos.spi.Connector;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.FieldSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The needed fields of one connection compared with the CRM as its connector describes it: per
 * field, whether it is there, of a type that holds the values, writable, and (for the key salesos
 * upserts by) unique.
 */
public record SchemaCheck(String connection, List<Row> rows) {

  /** What the CRM lacks for one needed field. */
  public enum Status {
    OK("ok"),
    MISSING("missing"),
    NO_OBJECT("object missing"),
    WRONG_TYPE("wrong type"),
    NOT_WRITABLE("not writable"),
    MISSING_VALUES("missing picklist values"),
    NOT_UNIQUE("not unique");

    private final String text;

    Status(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** One needed field and what was found; {@code found} is the CRM's type name or empty. */
  public record Row(FieldSpec field, Status status, String found, String detail) {
    public Row {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(status, "status");
      found = found == null ? "" : found;
      detail = detail == null ? "" : detail;
    }
  }

  public SchemaCheck {
    Objects.requireNonNull(connection, "connection");
    rows = List.copyOf(rows);
  }

  /** Compares {@code needed} with {@code schema}, asking {@code connector} whether a found type fits. */
  public static SchemaCheck of(String connection, List<FieldSpec> needed, CrmSchema schema, Connector connector) {
    var rows = new ArrayList<Row>();
    for (var spec : needed) {
      var object = schema.object(spec.crmObject());
      if (object.isEmpty()) {
        rows.add(new Row(spec, Status.NO_OBJECT, "", "the CRM has no object " + spec.crmObject()
            + "; check the mapping's crm_object"));
        continue;
      }
      var field = object.get().field(spec.name());
      if (field.isEmpty()) {
        rows.add(new Row(spec, Status.MISSING, "", ""));
        continue;
      }
      var f = field.get();
      var mismatch = connector.fieldMismatch(spec, f);
      if (mismatch.isPresent()) {
        rows.add(new Row(spec, Status.WRONG_TYPE, f.type(), mismatch.get()));
      } else if (!f.updateable()) {
        rows.add(new Row(spec, Status.NOT_WRITABLE, f.type(), "the integration user may not edit it"
            + " (read-only or calculated field, or no edit access)"));
      } else if (!lacking(spec, f).isEmpty()) {
        rows.add(new Row(spec, Status.MISSING_VALUES, f.type(), "lacks " + String.join(", ", lacking(spec, f))
            + "; add them in the CRM's setup, or remove them from the mapping"));
      } else if (spec.externalKey() && !f.unique()) {
        rows.add(new Row(spec, Status.NOT_UNIQUE, f.type(), "salesos upserts by it: make it unique"
            + " (an External ID / unique value field)"));
      } else {
        rows.add(new Row(spec, Status.OK, f.type(), ""));
      }
    }
    return new SchemaCheck(connection, rows);
  }

  /** The values salesos's mapping uses that a picklist field does not offer (none for other fields). */
  private static List<String> lacking(FieldSpec spec, CrmSchema.CrmField found) {
    if (spec.values().isEmpty() || found.picklistValues().isEmpty()) {
      return List.of();
    }
    return spec.values().stream().filter(v -> !found.picklistValues().contains(v)).toList();
  }

  public boolean complete() {
    return rows.stream().allMatch(r -> r.status() == Status.OK);
  }

  /** The fields the CRM lacks altogether: the ones {@code schema prepare} may create. */
  public List<FieldSpec> missing() {
    return rows.stream().filter(r -> r.status() == Status.MISSING).map(Row::field).toList();
  }

  /** The rows a person has to fix by hand: wrong type, not writable, not unique, no object. */
  public List<Row> toFixByHand() {
    return rows.stream().filter(r -> r.status() != Status.OK && r.status() != Status.MISSING).toList();
  }
}
