package io.salesos.salesforce.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sforce.soap.metadata.CustomField;
import com.sforce.soap.metadata.FieldType;
import com.sforce.soap.metadata.Metadata;
import com.sforce.soap.metadata.MetadataConnection;
import com.sforce.soap.metadata.PermissionSet;
import com.sforce.soap.metadata.PermissionSetFieldPermissions;
import com.sforce.soap.partner.PartnerConnection;
import com.sforce.soap.partner.sobject.SObject;
import com.sforce.ws.ConnectorConfig;
import com.sforce.ws.SoapFaultException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sandbox's Metadata API driven by force-wsc's own MetadataConnection and PartnerConnection, unmodified. */
class MetadataApiTest {

  private SalesforceSandbox sandbox;
  private PartnerConnection partner;
  private MetadataConnection metadata;

  @BeforeEach
  void start() throws Exception {
    sandbox = SalesforceSandbox.builder().withoutSalesosFields().start();
    var config = new ConnectorConfig();
    config.setUsername(sandbox.username());
    config.setPassword(sandbox.password());
    config.setAuthEndpoint(sandbox.loginUrl());
    partner = com.sforce.soap.partner.Connector.newConnection(config);
    var login = partner.login(sandbox.username(), sandbox.password());
    var mdConfig = new ConnectorConfig();
    mdConfig.setSessionId(login.getSessionId());
    mdConfig.setServiceEndpoint(login.getMetadataServerUrl());
    metadata = new MetadataConnection(mdConfig);
  }

  @AfterEach
  void stop() {
    sandbox.close();
  }

  private static CustomField text(String fullName, int length) {
    var f = new CustomField();
    f.setFullName(fullName);
    f.setLabel("Region code");
    f.setType(FieldType.Text);
    f.setLength(length);
    return f;
  }

  private boolean describes(String sobject, String field) throws Exception {
    return List.of(partner.describeSObject(sobject).getFields()).stream().anyMatch(f -> f.getName().equals(field));
  }

  @Test
  void aCreatedFieldIsHiddenByFieldLevelSecurityUntilAPermissionSetGrantingItIsAssigned() throws Exception {
    var saved = metadata.createMetadata(new Metadata[] {text("Account.Region_Code__c", 12)});
    assertThat(saved[0].isSuccess()).isTrue();
    assertThat(describes("Account", "Region_Code__c")).isFalse();

    var set = new PermissionSet();
    set.setFullName("Region_Editors");
    set.setLabel("Region editors");
    var perm = new PermissionSetFieldPermissions();
    perm.setField("Account.Region_Code__c");
    perm.setReadable(true);
    perm.setEditable(true);
    set.setFieldPermissions(new PermissionSetFieldPermissions[] {perm});
    assertThat(metadata.upsertMetadata(new Metadata[] {set})[0].isCreated()).isTrue();
    var setId = partner.query("SELECT Id FROM PermissionSet WHERE Name = 'Region_Editors'").getRecords()[0].getId();
    var assignment = new SObject("PermissionSetAssignment");
    assignment.setField("AssigneeId", partner.getUserInfo().getUserId());
    assignment.setField("PermissionSetId", setId);
    assertThat(partner.create(new SObject[] {assignment})[0].isSuccess()).isTrue();

    assertThat(describes("Account", "Region_Code__c")).isTrue();
    var account = new SObject("Account");
    account.setField("Name", "Acme");
    account.setField("Region_Code__c", "EMEA-N");
    assertThat(partner.create(new SObject[] {account})[0].isSuccess()).isTrue();
    assertThat(partner.query("SELECT Region_Code__c FROM Account").getRecords()[0].getField("Region_Code__c"))
        .isEqualTo("EMEA-N");
  }

  @Test
  void activityFieldsAreDefinedOnActivityAndAppearOnTaskAndEvent() throws Exception {
    var onTask = metadata.createMetadata(new Metadata[] {text("Task.Region_Code__c", 12)})[0];
    var onActivity = metadata.createMetadata(new Metadata[] {text("Activity.Region_Code__c", 12)})[0];
    var again = metadata.createMetadata(new Metadata[] {text("Activity.Region_Code__c", 12)})[0];

    assertThat(onTask.isSuccess()).isFalse();
    assertThat(onTask.getErrors()[0].getMessage()).contains("Activity");
    assertThat(onActivity.isSuccess()).isTrue();
    assertThat(again.isSuccess()).isFalse();
    assertThat(again.getErrors()[0].getStatusCode().name()).isEqualTo("DUPLICATE_DEVELOPER_NAME");
    var read = metadata.readMetadata("CustomField", new String[] {"Activity.Region_Code__c"}).getRecords();
    assertThat(read).hasSize(1);
    assertThat(((CustomField) read[0]).getLength()).isEqualTo(12);
  }

  @Test
  void anInvalidDefinitionFailsItsOwnResultOnly() throws Exception {
    var results = metadata.createMetadata(new Metadata[] {text("Account.Too_Long__c", 300), text("Account.Fine__c", 20)});

    assertThat(results[0].isSuccess()).isFalse();
    assertThat(results[0].getErrors()[0].getStatusCode().name()).isEqualTo("FIELD_INTEGRITY_EXCEPTION");
    assertThat(results[1].isSuccess()).isTrue();
  }

  @Test
  void withoutTheMetadataPermissionEveryCallIsAnInsufficientAccessFault() {
    sandbox.metadataApiPermitted(false);

    assertThatThrownBy(() -> metadata.createMetadata(new Metadata[] {text("Account.Region_Code__c", 12)}))
        .isInstanceOfSatisfying(SoapFaultException.class,
            f -> assertThat(f.getFaultCode().getLocalPart()).isEqualTo("INSUFFICIENT_ACCESS"));
  }
}
