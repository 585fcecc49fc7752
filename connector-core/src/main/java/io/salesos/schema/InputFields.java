package io.salesos.schema;

import io.salesos.mapping.FieldBinding;
import io.salesos.mapping.Mapping;
import io.salesos.mapping.ObjectMapping;
import io.salesos.outbox.AllowList;
import io.salesos.spi.CrmSchema;
import io.salesos.spi.FieldSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The fields salesos only reads (a mapping's inputs, as opposed to the {@link NeededFields} it
 * writes) that a CRM lacks, each with what salesos does without it. A stock org has none of a demo
 * org's custom inputs ({@code Tier__c}, {@code Opening_Hours__c}...): the connector then leaves
 * them out of its reads and the mirror holds them empty; this says what that means.
 */
public final class InputFields {

  /** One input the CRM lacks: where it would be, the canonical field it feeds, and the consequence. */
  public record Missing(String crmObject, String crmField, String canonicalObject, String canonicalField,
      String without) {
    public Missing {
      Objects.requireNonNull(crmObject, "crmObject");
      Objects.requireNonNull(crmField, "crmField");
      Objects.requireNonNull(without, "without");
    }

    public String qualifiedName() {
      return crmObject + "." + crmField;
    }
  }

  // what the engine does when the canonical field is empty, where it has a fallback of its own
  private static final Map<String, String> FALLBACKS = Map.of(
      "account.opening_hours", "visits are planned within office hours, Monday to Friday 09:00-17:00",
      "account.visit_every_days", "an `account` cadence in cadence.yaml counts nothing for the account; cadences by"
          + " tier, industry or a number of days still apply",
      "owner.urban", "routing judges urban or rural travel from how compact the rep's territory is (routing.yaml travel)",
      "owner.base_lat", "a rep's day starts from the centre of the rep's accounts",
      "owner.base_lng", "a rep's day starts from the centre of the rep's accounts");

  private static final String EMPTY = "mirrored as empty: a rule that tests it with has() finds it absent, one that"
      + " reads it without has() gives no verdict on the record (counted as a rule error, nothing written)";

  private InputFields() {}

  /** The mapped input fields {@code schema} lacks, in mapping order (an object the CRM lacks entirely is left to the written-field check). */
  public static List<Missing> missing(Mapping mapping, AllowList allow, CrmSchema schema) {
    var written = NeededFields.of(mapping, allow).stream()
        .map(f -> f.qualifiedName().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.toSet());
    var out = new LinkedHashMap<String, Missing>();
    for (var object : mapping.objects()) {
      var crmObject = schema.object(object.crmObject());
      if (crmObject.isEmpty()) {
        continue;
      }
      for (var b : object.fields()) {
        var key = (object.crmObject() + "." + b.crmField()).toLowerCase(Locale.ROOT);
        // a path (HubSpot's associations.companies) is read by the connector, not a field of the object
        if (b.crmField().contains(".") || written.contains(key) || crmObject.get().field(b.crmField()).isPresent()) {
          continue;
        }
        // a deal's currency field exists only where the org keeps several currencies (Salesforce
        // CurrencyIsoCode): without it the org has one currency, and amounts are counted as given
        if (object.canonicalObject().equals("deal") && b.canonicalField().equals("currency")) {
          continue;
        }
        out.putIfAbsent(key, new Missing(object.crmObject(), b.crmField(), object.canonicalObject(), b.canonicalField(),
            without(object, b)));
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * The canonical fields a CRM lacks with nothing in their place ({@code deal.next_step_date} to
   * {@code Opportunity.Next_Step_Date__c}): missing inputs with no mapping default. Rules reading
   * them give no verdict on that CRM ({@link io.salesos.rules.RuleSet#restrictedTo}).
   */
  public static Map<String, String> absentCanonical(Mapping mapping, AllowList allow, CrmSchema schema) {
    var out = new java.util.TreeMap<String, String>();
    for (var m : missing(mapping, allow, schema)) {
      var object = mapping.objects().stream().filter(o -> o.crmObject().equalsIgnoreCase(m.crmObject())).findFirst();
      boolean defaulted = object.flatMap(o -> o.fields().stream().filter(b -> b.crmField().equalsIgnoreCase(m.crmField()))
          .findFirst()).map(b -> b.defaultValue().isPresent()).orElse(false);
      if (!defaulted) {
        out.merge(m.canonicalObject() + "." + m.canonicalField(), m.qualifiedName(), (a, b) -> a + ", " + b);
      }
    }
    return out;
  }

  /** The missing inputs as fields to create ({@code schema prepare --inputs}), of the types the mapping reads. */
  public static List<FieldSpec> asSpecs(Mapping mapping, List<Missing> missing) {
    var out = new ArrayList<FieldSpec>();
    for (var m : missing) {
      var object = mapping.objects().stream().filter(o -> o.crmObject().equalsIgnoreCase(m.crmObject())).findFirst();
      var binding = object.flatMap(o -> o.fields().stream().filter(b -> b.crmField().equalsIgnoreCase(m.crmField())).findFirst());
      if (binding.isEmpty()) {
        continue;
      }
      var b = binding.get();
      out.add(new FieldSpec(m.crmObject(), m.crmField(), m.canonicalField().replace('_', ' '), b.type(),
          List.copyOf(b.values().keySet()), false, "Read by salesos: " + m.canonicalObject() + "." + m.canonicalField()));
    }
    return out;
  }

  private static String without(ObjectMapping object, FieldBinding b) {
    if (b.defaultValue().isPresent()) {
      return "every record gets the mapping's default, '" + b.defaultValue().get() + "'";
    }
    return FALLBACKS.getOrDefault(object.canonicalObject() + "." + b.canonicalField(), EMPTY);
  }
}
