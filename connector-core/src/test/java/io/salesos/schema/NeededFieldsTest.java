package io.salesos.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.config.YamlNode;
import io.salesos.mapping.Mapping;
import io.salesos.model.FieldType;
import io.salesos.outbox.AllowList;
import io.salesos.spi.FieldSpec;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NeededFieldsTest {

  private static final Mapping MAPPING = Mapping.from(YamlNode.parse("test-mapping.yaml", """
      crm: salesforce
      objects:
        - crm_object: Opportunity
          canonical: deal
          fields:
            Name: name
            Salesos_Flags__c: salesos_flags
            Evidence__c: salesos_forecast_category
        - crm_object: Task
          canonical: activity
          fields:
            Subject: subject
            AccountId:
              canonical: account_id
              read_only: true
            WhatId:
              - canonical: deal_id
                id_prefix: "006"
              - canonical: account_id
                id_prefix: "001"
            Key__c: salesos_key
        - crm_object: Event
          canonical: activity
          fields:
            Subject: subject
            Visit_Reason__c:
              canonical: visit_reason
              type: text
            Key__c: salesos_key
        - crm_object: Call__c
          canonical: activity
          fields:
            Subject: subject
      """));

  private static final AllowList ALLOW = new AllowList(Map.of(
      "deal", Set.of("salesos_flags", "salesos_forecast_category"),
      "activity", Set.of("subject", "deal_id", "account_id", "salesos_key", "visit_reason")), Set.of("activity"));

  @Test
  void everyAllowListedWritableBindingOfAWrittenObjectIsNeededOnce() {
    var needed = NeededFields.of(MAPPING, ALLOW);

    assertThat(needed).extracting(FieldSpec::qualifiedName).containsExactly(
        "Opportunity.Salesos_Flags__c", "Opportunity.Evidence__c", "Task.Subject", "Task.WhatId", "Task.Key__c",
        "Event.Subject", "Event.Visit_Reason__c", "Event.Key__c");
  }

  @Test
  void typesValuesAndTheKeyComeFromTheMappingAndTheCanonicalModel() {
    var byName = NeededFields.of(MAPPING, ALLOW).stream()
        .collect(java.util.stream.Collectors.toMap(FieldSpec::qualifiedName, f -> f));

    assertThat(byName.get("Opportunity.Salesos_Flags__c").type()).isEqualTo(FieldType.TEXT);
    assertThat(byName.get("Opportunity.Evidence__c").values())
        .containsExactly("Omitted", "Pipeline", "Best Case", "Commit", "Closed");
    assertThat(byName.get("Task.Key__c").externalKey()).isTrue();
    assertThat(byName.get("Event.Visit_Reason__c").type()).isEqualTo(FieldType.TEXT);
    assertThat(byName.get("Task.WhatId").type()).isEqualTo(FieldType.ID);
  }

  @Test
  void nothingOutsideTheAllowListIsNeeded() {
    var needed = NeededFields.of(MAPPING, new AllowList(Map.of("deal", Set.of("salesos_flags")), Set.of()));

    assertThat(needed).extracting(FieldSpec::qualifiedName).containsExactly("Opportunity.Salesos_Flags__c");
  }
}
