package io.salesos.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.salesos.mapping.Mapping;
import io.salesos.salesforce.sandbox.SalesforceSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DefaultMappingTest {

  static Path mappingFile() {
    var p = Path.of("../config/mappings/salesforce.yaml");
    return Files.exists(p) ? p : Path.of("config/mappings/salesforce.yaml");
  }

  @Test
  void everyMappedFieldExistsInTheSandboxDescribe() throws Exception {
    var mapping = Mapping.load(mappingFile());
    assertThat(mapping.crm()).isEqualTo("salesforce");
    // a multi-currency org: CurrencyIsoCode exists only there (a single-currency org lacks it by design)
    try (var sandbox = SalesforceSandbox.builder().multiCurrency("USD", Map.of("EUR", new java.math.BigDecimal("0.9"))).start();
        var c = SandboxConnections.connector(sandbox, Map.of())) {
      var schema = c.describe();
      for (var o : mapping.objects()) {
        var object = schema.object(o.crmObject());
        assertThat(object).as(o.crmObject()).isPresent();
        for (var f : o.fields()) {
          assertThat(object.get().field(f.crmField())).as(o.crmObject() + "." + f.crmField()).isPresent();
        }
      }
      var key = schema.object("Task").orElseThrow().field("Salesos_Key__c").orElseThrow();
      assertThat(key.unique()).isTrue();
      assertThat(key.custom()).isTrue();
    }
  }

  @Test
  void aTaskOnALeadOrAContactKeepsItsPersonAndATaskForALeadIsWrittenWithIt() {
    var task = Mapping.load(mappingFile()).forCrmObject("Task").orElseThrow();
    var onLead = new java.util.HashMap<String, Object>(Map.of("Id", "00T000000000001AAA", "WhoId", "00Q000000000001AAA",
        "WhatId", "001000000000001AAA", "Subject", "Intro call", "Status", "Completed"));
    assertThat(task.toCanonical(new io.salesos.spi.RawRecord("00T000000000001AAA", onLead, java.time.Instant.EPOCH)))
        .containsEntry("contact_id", "00Q000000000001AAA").containsEntry("account_id", "001000000000001AAA");
    var onContact = new java.util.HashMap<String, Object>(onLead);
    onContact.put("WhoId", "003000000000001AAA");
    assertThat(task.toCanonical(new io.salesos.spi.RawRecord("00T000000000001AAA", onContact, java.time.Instant.EPOCH)))
        .containsEntry("contact_id", "003000000000001AAA");
    // an id of neither kind (a user, say) is no contact
    onContact.put("WhoId", "005000000000001AAA");
    assertThat(task.toCanonical(new io.salesos.spi.RawRecord("00T000000000001AAA", onContact, java.time.Instant.EPOCH))
        .get("contact_id")).isNull();
    assertThat(task.toCrm(Map.of("subject", "Call new lead", "contact_id", "00Q000000000001AAA", "due_date",
        java.time.LocalDate.parse("2026-11-25")))).containsEntry("WhoId", "00Q000000000001AAA")
        .containsEntry("ActivityDate", "2026-11-25");
  }
}
