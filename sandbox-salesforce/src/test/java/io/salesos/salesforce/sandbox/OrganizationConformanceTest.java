package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.sobject.SObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Organization object as a client reads it: one row, whose Id is the org id the login answers,
 * queryable for its fiscal year and time zone, and read only to the API.
 * Source: Object Reference, Organization
 * https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_organization.htm
 */
class OrganizationConformanceTest {

  static ConformanceOrg org;
  static PartnerConnection p;

  @BeforeAll
  static void start() throws Exception {
    org = new ConformanceOrg();
    p = org.login();
  }

  @AfterAll
  static void stop() {
    org.close();
  }

  @Test
  void aStockOrgHasOneOrganizationRowWithTheLoginsOrgIdAndACalendarFiscalYear() throws Exception {
    var result = p.query("SELECT Id, FiscalYearStartMonth, UsesStartDateAsFiscalYearName, TimeZoneSidKey FROM Organization");
    assertThat(result.getSize()).isEqualTo(1);
    var row = result.getRecords()[0];
    assertThat(row.getId()).isEqualTo(p.getUserInfo().getOrganizationId());
    assertThat(row.getField("FiscalYearStartMonth")).isEqualTo("1");
    assertThat(row.getField("UsesStartDateAsFiscalYearName")).isEqualTo("false");
    assertThat(row.getField("TimeZoneSidKey")).isEqualTo("America/Chicago");
  }

  @Test
  void aFiscalYearSetInSetupIsWhatTheQueryReads() throws Exception {
    org.sandbox.fiscalYearStartMonth(4).organizationTimeZone("Europe/Berlin");
    try {
      var row = p.query("SELECT FiscalYearStartMonth, TimeZoneSidKey FROM Organization").getRecords()[0];
      assertThat(row.getField("FiscalYearStartMonth")).isEqualTo("4");
      assertThat(row.getField("TimeZoneSidKey")).isEqualTo("Europe/Berlin");
    } finally {
      org.sandbox.fiscalYearStartMonth(1).organizationTimeZone("America/Chicago");
    }
  }

  @Test
  void theOrganizationCannotBeCreatedOrUpdatedThroughTheApi() throws Exception {
    var orgRow = new SObject("Organization");
    orgRow.setField("Name", "Another org");
    assertThat(p.create(new SObject[] {orgRow})[0].getSuccess()).isFalse();
    var update = new SObject("Organization");
    update.setId(p.getUserInfo().getOrganizationId());
    update.setField("FiscalYearStartMonth", "7");
    assertThat(p.update(new SObject[] {update})[0].getSuccess()).isFalse();
    var row = p.query("SELECT FiscalYearStartMonth FROM Organization").getRecords()[0];
    assertThat(row.getField("FiscalYearStartMonth")).isEqualTo("1");
  }
}
