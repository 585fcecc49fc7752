package io.salesos.salesforce.sandbox;

import static io.salesos.salesforce.sandbox.WireFormat.xmlEscape;

import io.salesos.salesforce.sandbox.OrgSchema.FieldDef;
import io.salesos.salesforce.sandbox.OrgSchema.ObjectDef;
import io.salesos.salesforce.sandbox.OrgStore.CallFault;
import io.salesos.salesforce.sandbox.OrgStore.Input;
import io.salesos.salesforce.sandbox.OrgStore.Outcome;
import io.salesos.salesforce.sandbox.OrgStore.Row;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The partner SOAP API of the sandbox org: parses force-wsc's envelopes (the transport has already
 * inflated gzip bodies) and answers in the partner WSDL's shapes, with the LimitInfoHeader on
 * every API response and faults in the real {@code urn:fault.partner.soap.sforce.com} envelope.
 */
final class SoapEndpoint {

  static final String PARTNER_NS = "urn:partner.soap.sforce.com";
  private static final String XSI = "http://www.w3.org/2001/XMLSchema-instance";
  private static final int MAX_DML = 200;

  /** An open query cursor behind a locator; single use, like Salesforce's. */
  private record Cursor(List<Row> rows, Soql.Query query, int offset, int batchSize, Instant lastUsed) {}

  private final OrgStore store;
  private final Sessions sessions;
  private final SandboxFaults faults;
  private final ApiGate gate;
  private final SandboxCredentials credentials;
  private final String orgId;
  private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
  private final AtomicLong cursorSeq = new AtomicLong();
  private volatile Duration cursorTimeout = Duration.ofMinutes(15);
  private final DocumentBuilderFactory dbf = HardenedXml.documentBuilderFactory();

  SoapEndpoint(OrgStore store, Sessions sessions, SandboxFaults faults, ApiGate gate,
      SandboxCredentials credentials, String orgId) {
    this.store = store;
    this.sessions = sessions;
    this.faults = faults;
    this.gate = gate;
    this.credentials = credentials;
    this.orgId = orgId;
    faults.onExpireLocators(cursors::clear);
  }

  void cursorTimeout(Duration t) {
    this.cursorTimeout = t;
  }

  Reply handle(byte[] body, String baseUrl, String apiVersion) {
    Element envelope;
    try {
      envelope = dbf.newDocumentBuilder().parse(new ByteArrayInputStream(body)).getDocumentElement();
    } catch (Exception e) {
      return fault("UNKNOWN_EXCEPTION", "UnexpectedErrorFault", "Unable to parse the request: " + e.getMessage());
    }
    var header = child(envelope, "Header");
    var operation = firstElement(child(envelope, "Body"));
    if (operation == null) {
      return fault("UNKNOWN_EXCEPTION", "UnexpectedErrorFault", "No operation in the SOAP body");
    }
    var op = operation.getLocalName();
    if (op.equals("login")) {
      return login(operation, baseUrl, apiVersion);
    }
    var sessionId = text(child(child(header, "SessionHeader"), "sessionId"));
    var admission = gate.admit(sessionId);
    if (!admission.admitted()) {
      if (admission.faultCode() == null) {
        return Reply.of(admission.httpStatus(), "text/html", "<html><body><h1>" + admission.httpStatus()
            + "</h1>Service temporarily unavailable</body></html>");
      }
      return fault(admission.faultCode(), "UnexpectedErrorFault", admission.faultMessage());
    }
    var user = admission.userId();
    try {
      var result = switch (op) {
        case "logout" -> {
          sessions.close(sessionId);
          yield "<logoutResponse/>";
        }
        case "getServerTimestamp" -> "<getServerTimestampResponse><result><timestamp>"
            + WireFormat.format(store.clock().instant()) + "</timestamp></result></getServerTimestampResponse>";
        case "getUserInfo" -> "<getUserInfoResponse><result>" + userInfo(user) + "</result></getUserInfoResponse>";
        case "describeGlobal" -> describeGlobal();
        case "describeSObject" -> "<describeSObjectResponse>" + describe(text(child(operation, "sObjectType")))
            + "</describeSObjectResponse>";
        case "describeSObjects" -> {
          var sb = new StringBuilder("<describeSObjectsResponse>");
          for (var t : children(operation, "sObjectType")) {
            sb.append(describe(text(t)));
          }
          yield sb.append("</describeSObjectsResponse>").toString();
        }
        // reads hold the store's lock so a concurrent save never shows half-written rows
        case "query", "queryAll" -> {
          synchronized (store) {
            yield query(op, text(child(operation, "queryString")), batchSize(header));
          }
        }
        case "queryMore" -> {
          synchronized (store) {
            yield queryMore(text(child(operation, "queryLocator")));
          }
        }
        case "create", "update", "upsert", "delete" -> dml(op, operation, header, user);
        case "retrieve" -> {
          synchronized (store) {
            yield retrieve(operation);
          }
        }
        case "undelete" -> undelete(operation, header, user);
        case "merge" -> merge(operation, user);
        case "convertLead" -> convertLead(operation, user);
        case "search" -> {
          synchronized (store) {
            yield search(text(child(operation, "searchString")));
          }
        }
        case "describeLayout" -> throw new CallFault("INVALID_OPERATION", "UnexpectedErrorFault",
            "describeLayout is not served by the sandbox org: it keeps no page layouts");
        case "getUpdated" -> getUpdated(operation);
        case "getDeleted" -> getDeleted(operation);
        default -> throw new CallFault("UNKNOWN_EXCEPTION", "UnexpectedErrorFault",
            "The sandbox does not serve the operation '" + op + "'");
      };
      var reply = Reply.xml(200, envelope(result));
      return faults.takeMalformed() ? reply.truncated() : reply;
    } catch (CallFault f) {
      return fault(f.code, f.faultType, f.getMessage());
    }
  }

  // ---- login ----

  private Reply login(Element op, String baseUrl, String apiVersion) {
    var username = text(child(op, "username"));
    var password = text(child(op, "password"));
    if (!credentials.username().equalsIgnoreCase(username == null ? "" : username)
        || !credentials.acceptsPassword(password)) {
      return fault("INVALID_LOGIN", "LoginFault", "Invalid username, password, security token; or user locked out.");
    }
    var user = store.integrationUserId();
    var session = sessions.open(user);
    var serverUrl = baseUrl + "/services/Soap/u/" + apiVersion + "/" + orgId;
    var xml = "<loginResponse><result>"
        + "<metadataServerUrl>" + baseUrl + "/services/Soap/m/" + apiVersion + "/" + orgId + "</metadataServerUrl>"
        + "<passwordExpired>false</passwordExpired><sandbox>true</sandbox>"
        + "<serverUrl>" + serverUrl + "</serverUrl><sessionId>" + session + "</sessionId>"
        + "<userId>" + user + "</userId><userInfo>" + userInfo(user) + "</userInfo></result></loginResponse>";
    return Reply.xml(200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv="
        + "\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns=\"" + PARTNER_NS + "\" xmlns:xsi=\"" + XSI
        + "\"><soapenv:Body>" + xml + "</soapenv:Body></soapenv:Envelope>");
  }

  private String userInfo(String userId) {
    var u = store.find(userId).orElse(null);
    String name = u == null ? "Integration User" : String.valueOf(u.get("Name"));
    String username = u == null ? credentials.username() : String.valueOf(u.get("Username"));
    String email = u == null ? credentials.username() : String.valueOf(u.get("Email"));
    // a single-currency org answers its currency (symbol, ISO code, locale); a multi-currency org
    // answers nil there and the user's own currency (the corporate one unless the user set another)
    var corporate = store.corporateCurrency();
    boolean multi = corporate.isPresent();
    return "<accessibilityMode>false</accessibilityMode><chatterExternal>false</chatterExternal>"
        + (multi ? "<currencySymbol xsi:nil=\"true\"/>"
            : "<currencySymbol>" + java.util.Currency.getInstance(store.orgCurrency()).getSymbol(java.util.Locale.US) + "</currencySymbol>")
        + "<orgAttachmentFileSizeLimit>5242880</orgAttachmentFileSizeLimit>"
        + (multi ? "<orgDefaultCurrencyIsoCode xsi:nil=\"true\"/><orgDefaultCurrencyLocale xsi:nil=\"true\"/>"
            : "<orgDefaultCurrencyIsoCode>" + store.orgCurrency() + "</orgDefaultCurrencyIsoCode>"
                + "<orgDefaultCurrencyLocale>en_US</orgDefaultCurrencyLocale>")
        + "<orgDisallowHtmlAttachments>false</orgDisallowHtmlAttachments><orgHasPersonAccounts>false</orgHasPersonAccounts>"
        + "<organizationId>" + orgId + "</organizationId><organizationMultiCurrency>" + multi + "</organizationMultiCurrency>"
        + "<organizationName>salesos sandbox</organizationName><profileId>00e8d000000XYZ1AAA</profileId>"
        + "<roleId xsi:nil=\"true\"/><sessionSecondsValid>" + sessions.timeout().toSeconds() + "</sessionSecondsValid>"
        + (multi ? "<userDefaultCurrencyIsoCode>" + corporate.get() + "</userDefaultCurrencyIsoCode>"
            : "<userDefaultCurrencyIsoCode xsi:nil=\"true\"/>") + "<userEmail>" + xmlEscape(email) + "</userEmail>"
        + "<userFullName>" + xmlEscape(name) + "</userFullName><userId>" + userId + "</userId>"
        + "<userLanguage>en_US</userLanguage><userLocale>en_US</userLocale><userName>" + xmlEscape(username)
        + "</userName><userTimeZone>America/Chicago</userTimeZone><userType>Standard</userType>"
        + "<userUiSkin>Theme3</userUiSkin>";
  }

  // ---- describe ----

  private String describeGlobal() {
    var sb = new StringBuilder("<describeGlobalResponse><result><encoding>UTF-8</encoding><maxBatchSize>200</maxBatchSize>");
    for (var o : store.schema().objects()) {
      sb.append("<sobjects><activateable>false</activateable><createable>").append(o.createable())
          .append("</createable><custom>").append(o.custom()).append("</custom><customSetting>false</customSetting>")
          .append("<deletable>").append(o.createable()).append("</deletable><deprecatedAndHidden>false</deprecatedAndHidden>")
          .append("<feedEnabled>false</feedEnabled><hasSubtypes>false</hasSubtypes><isSubtype>false</isSubtype>")
          .append("<keyPrefix>").append(o.keyPrefix()).append("</keyPrefix><label>").append(xmlEscape(o.label()))
          .append("</label><labelPlural>").append(xmlEscape(o.label())).append("s</labelPlural>")
          .append("<layoutable>true</layoutable><mergeable>false</mergeable><mruEnabled>true</mruEnabled><name>")
          .append(o.name()).append("</name><queryable>true</queryable><replicateable>true</replicateable>")
          .append("<retrieveable>true</retrieveable><searchable>true</searchable><triggerable>true</triggerable>")
          .append("<undeletable>").append(o.createable()).append("</undeletable><updateable>").append(o.updateable())
          .append("</updateable></sobjects>");
    }
    return sb.append("</result></describeGlobalResponse>").toString();
  }

  private String describe(String type) {
    var o = store.schema().object(type == null ? "" : type).orElseThrow(() -> new CallFault("INVALID_TYPE",
        "InvalidSObjectFault", "sObject type '" + type + "' is not supported."));
    var sb = new StringBuilder("<result><activateable>false</activateable><createable>").append(o.createable())
        .append("</createable><custom>").append(o.custom()).append("</custom><customSetting>false</customSetting>")
        .append("<deletable>").append(o.createable()).append("</deletable><deprecatedAndHidden>false</deprecatedAndHidden>")
        .append("<feedEnabled>false</feedEnabled>");
    for (var f : o.fields()) {
      sb.append("<fields>").append(fieldXml(o, f)).append("</fields>");
    }
    sb.append("<hasSubtypes>false</hasSubtypes><isSubtype>false</isSubtype><keyPrefix>").append(o.keyPrefix())
        .append("</keyPrefix><label>").append(xmlEscape(o.label())).append("</label><labelPlural>")
        .append(xmlEscape(o.label())).append("s</labelPlural><layoutable>true</layoutable><mergeable>false</mergeable>")
        .append("<mruEnabled>true</mruEnabled><name>").append(o.name()).append("</name>")
        .append("<queryable>true</queryable><replicateable>true</replicateable><retrieveable>true</retrieveable>")
        .append("<searchable>true</searchable><triggerable>true</triggerable><undeletable>").append(o.createable())
        .append("</undeletable><updateable>").append(o.updateable()).append("</updateable>")
        .append("<urlDetail>/{ID}</urlDetail><urlEdit>/{ID}/e</urlEdit><urlNew>/").append(o.keyPrefix())
        .append("/e</urlNew></result>");
    return sb.toString();
  }

  private String fieldXml(ObjectDef o, FieldDef f) {
    var sb = new StringBuilder();
    boolean text = f.soapType().equals("xsd:string");
    sb.append("<aggregatable>true</aggregatable><aiPredictionField>false</aiPredictionField><autoNumber>false</autoNumber>")
        .append("<byteLength>").append(text ? f.length() * 3 : 0).append("</byteLength>")
        .append("<calculated>").append(f.calculated()).append("</calculated>");
    if (f.calculated()) {
      sb.append("<calculatedFormula>TODAY() - DATEVALUE(CreatedDate)</calculatedFormula>");
    }
    sb.append("<caseSensitive>false</caseSensitive><createable>").append(f.createable()).append("</createable>")
        .append("<custom>").append(f.custom()).append("</custom>")
        .append("<defaultedOnCreate>").append(f.name().equals("OwnerId") || !f.nillable()).append("</defaultedOnCreate>")
        .append("<deprecatedAndHidden>false</deprecatedAndHidden><digits>").append(f.type().equals("int") ? 9 : 0)
        .append("</digits>");
    if (f.externalId()) {
      sb.append("<externalId>true</externalId>");
    }
    sb.append("<filterable>true</filterable><groupable>").append(!f.numeric()).append("</groupable>")
        .append("<idLookup>").append(f.idLookup()).append("</idLookup><label>").append(xmlEscape(f.label()))
        .append("</label><length>").append(text ? f.length() : 0).append("</length><name>").append(f.name())
        .append("</name><nameField>").append(f.name().equals("Name")).append("</nameField><nillable>")
        .append(f.nillable()).append("</nillable><permissionable>").append(f.custom()).append("</permissionable>");
    for (var p : picklist(store.schema().stages(), o, f)) {
      sb.append("<picklistValues><active>true</active><defaultValue>false</defaultValue><label>").append(xmlEscape(p))
          .append("</label><value>").append(xmlEscape(p)).append("</value></picklistValues>");
    }
    sb.append("<polymorphicForeignKey>").append(f.referenceTo().size() > 1).append("</polymorphicForeignKey>")
        .append("<precision>").append(f.numeric() ? 18 : 0).append("</precision><queryByDistance>false</queryByDistance>");
    for (var r : f.referenceTo()) {
      sb.append("<referenceTo>").append(r).append("</referenceTo>");
    }
    if (f.type().equals("reference")) {
      sb.append("<relationshipName>").append(f.name().endsWith("Id") ? f.name().substring(0, f.name().length() - 2)
          : f.name()).append("</relationshipName>");
    }
    sb.append("<restrictedPicklist>").append(f.name().equals("StageName")).append("</restrictedPicklist>")
        .append("<scale>").append(f.numeric() && !f.type().equals("int") ? 2 : 0).append("</scale>")
        .append("<searchPrefilterable>false</searchPrefilterable><soapType>").append(f.soapType())
        .append("</soapType><sortable>true</sortable><type>").append(f.type()).append("</type><unique>")
        .append(f.unique() && !f.name().equals("Id")).append("</unique><updateable>").append(f.updateable())
        .append("</updateable>");
    return sb.toString();
  }

  private static List<String> picklist(OrgStages stages, ObjectDef o, FieldDef f) {
    if (!f.picklist().isEmpty()) {
      return f.picklist();
    }
    var key = o.name() + "." + f.name();
    return switch (key) {
      case "Opportunity.StageName", "OpportunityStage.ApiName", "OpportunityStage.MasterLabel" -> stages.labels();
      case "Opportunity.ForecastCategoryName", "OpportunityStage.ForecastCategoryName" -> List.of("Omitted", "Pipeline", "Best Case", "Commit", "Closed");
      case "Task.Status" -> List.of("Not Started", "In Progress", "Completed", "Waiting on someone else", "Deferred");
      case "Task.Priority" -> List.of("High", "Normal", "Low");
      case "Task.Type" -> List.of("Call", "Email", "Meeting", "Hand-off", "Other");
      case "Event.Type" -> List.of("Visit", "Meeting", "Call", "Other");
      case "Lead.Status" -> List.of("Open - Not Contacted", "Working - Contacted", "Closed - Converted",
          "Closed - Not Converted");
      default -> List.of();
    };
  }

  // ---- query ----

  private String query(String op, String soql, int batchSize) {
    if (soql == null || soql.isBlank()) {
      throw new CallFault("MALFORMED_QUERY", "MalformedQueryFault", "empty query string");
    }
    var q = Soql.parse(soql, store.schema(), store);
    var rows = List.copyOf(Soql.rows(q, store, op.equals("queryAll")));
    var tag = op + "Response";
    if (q.count()) {
      return "<" + tag + "><result xsi:type=\"QueryResult\"><done>true</done><queryLocator xsi:nil=\"true\"/><size>"
          + rows.size() + "</size></result></" + tag + ">";
    }
    if (q.aggregate() && rows.size() > 2000) {
      // aggregate results are not paged: the API refuses them rather than hand out a locator
      throw new CallFault("MALFORMED_QUERY", "MalformedQueryFault",
          "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch");
    }
    return "<" + tag + ">" + page(new Cursor(rows, q, 0, q.aggregate() ? 2000 : batchSize, store.clock().instant()))
        + "</" + tag + ">";
  }

  private String queryMore(String locator) {
    var cursor = locator == null ? null : cursors.remove(locator);
    if (cursor == null || Duration.between(cursor.lastUsed(), store.clock().instant()).compareTo(cursorTimeout) > 0) {
      throw new CallFault("INVALID_QUERY_LOCATOR", "InvalidQueryLocatorFault", "invalid query locator");
    }
    return "<queryMoreResponse>" + page(cursor) + "</queryMoreResponse>";
  }

  private String page(Cursor c) {
    int end = Math.min(c.rows().size(), c.offset() + c.batchSize());
    boolean done = end >= c.rows().size();
    var sb = new StringBuilder(256 * (end - c.offset()) + 200);
    sb.append("<result xsi:type=\"QueryResult\"><done>").append(done).append("</done>");
    if (done) {
      sb.append("<queryLocator xsi:nil=\"true\"/>");
    } else {
      var locator = "01g" + orgId.substring(3, 15) + Long.toString(cursorSeq.incrementAndGet(), 36).toUpperCase()
          + "-" + end;
      cursors.put(locator, new Cursor(c.rows(), c.query(), end, c.batchSize(), store.clock().instant()));
      sb.append("<queryLocator>").append(locator).append("</queryLocator>");
    }
    for (int i = c.offset(); i < end; i++) {
      sb.append("<records xsi:type=\"sf:sObject\">");
      appendRecord(sb, c.query(), c.rows().get(i));
      sb.append("</records>");
    }
    sb.append("<size>").append(c.rows().size()).append("</size></result>");
    return sb.toString();
  }

  /** The inside of one query record: its type, Id, selected fields, parent records and child QueryResults. */
  private void appendRecord(StringBuilder sb, Soql.Query q, Row row) {
    if (q.aggregate()) {
      sb.append("<sf:type>AggregateResult</sf:type><sf:Id xsi:nil=\"true\"/>");
      for (var f : q.fields()) {
        var v = WireFormat.format(row.get(f.name()));
        if (v == null) {
          sb.append("<sf:").append(f.name()).append(" xsi:nil=\"true\"/>");
        } else {
          sb.append("<sf:").append(f.name()).append(" xsi:type=\"").append(f.soapType().replace("tns:ID", "xsd:string"))
              .append("\">").append(xmlEscape(v)).append("</sf:").append(f.name()).append('>');
        }
      }
      return;
    }
    appendFields(sb, row, q.fields(), "");
    for (var sub : q.subqueries()) {
      var children = Soql.children(sub, row, store);
      if (children.isEmpty()) {
        sb.append("<sf:").append(sub.relationship()).append(" xsi:nil=\"true\"/>");
        continue;
      }
      sb.append("<sf:").append(sub.relationship()).append(" xsi:type=\"QueryResult\"><done>true</done>")
          .append("<queryLocator xsi:nil=\"true\"/>");
      for (var child : children) {
        sb.append("<records xsi:type=\"sf:sObject\">");
        appendRecord(sb, sub.query(), child);
        sb.append("</records>");
      }
      sb.append("<size>").append(children.size()).append("</size></sf:").append(sub.relationship()).append('>');
    }
  }

  /**
   * Fields of {@code row} whose paths start with {@code prefix}: its own as elements, those of a
   * parent grouped under one element named for the relationship, nil when the link is empty.
   */
  private void appendFields(StringBuilder sb, Row row, List<FieldDef> fields, String prefix) {
    sb.append("<sf:type>").append(row.type.name()).append("</sf:type>");
    boolean idSelected = fields.stream().anyMatch(f -> f.name().equalsIgnoreCase(prefix + "Id"));
    if (idSelected) {
      sb.append("<sf:Id>").append(row.id).append("</sf:Id>");
    } else {
      sb.append("<sf:Id xsi:nil=\"true\"/>");
    }
    var done = new java.util.HashSet<String>();
    for (var f : fields) {
      if (!f.name().startsWith(prefix)) {
        continue;
      }
      var rest = f.name().substring(prefix.length());
      int dot = rest.indexOf('.');
      if (dot < 0) {
        var wrong = prefix.isEmpty() ? faults.wrongTyped(row.id, f.name()) : java.util.Optional.<String>empty();
        var own = row.type.field(rest).orElse(f);
        var v = wrong.isPresent() ? wrong.get() : WireFormat.format(store.read(row, own));
        if (v == null) {
          sb.append("<sf:").append(rest).append(" xsi:nil=\"true\"/>");
        } else {
          sb.append("<sf:").append(rest).append('>').append(xmlEscape(v)).append("</sf:").append(rest).append('>');
        }
        continue;
      }
      var rel = rest.substring(0, dot);
      if (!done.add(rel)) {
        continue;
      }
      var parent = store.parent(row, rel);
      if (parent.isEmpty()) {
        sb.append("<sf:").append(rel).append(" xsi:nil=\"true\"/>");
      } else {
        sb.append("<sf:").append(rel).append(" xsi:type=\"sf:sObject\">");
        appendFields(sb, parent.get(), fields, prefix + rel + ".");
        sb.append("</sf:").append(rel).append('>');
      }
    }
  }

  private static int batchSize(Element header) {
    var size = text(child(child(header, "QueryOptions"), "batchSize"));
    int n = size == null ? 2000 : Integer.parseInt(size.trim());
    // Salesforce treats the size as a hint inside [200, 2000]
    return Math.max(200, Math.min(2000, n));
  }

  // ---- DML ----

  private String dml(String op, Element operation, Element header, String user) {
    boolean allOrNone = "true".equalsIgnoreCase(text(child(child(header, "AllOrNoneHeader"), "allOrNone")));
    boolean locked = faults.takeLock();
    List<Outcome> outcomes;
    if (op.equals("delete")) {
      var ids = children(operation, "ids").stream().map(SoapEndpoint::text).toList();
      checkSize(ids.size());
      outcomes = store.delete(ids, allOrNone, user, locked);
    } else {
      var inputs = new ArrayList<Input>();
      for (var e : children(operation, "sObjects")) {
        inputs.add(input(e));
      }
      checkSize(inputs.size());
      outcomes = switch (op) {
        case "create" -> store.create(inputs, allOrNone, user, locked);
        case "update" -> store.update(inputs, allOrNone, user, locked);
        default -> store.upsert(text(child(operation, "externalIDFieldName")), inputs, allOrNone, user, locked);
      };
    }
    var sb = new StringBuilder("<").append(op).append("Response>");
    for (var o : outcomes) {
      sb.append("<result>");
      if (op.equals("upsert")) {
        sb.append("<created>").append(o.created()).append("</created>");
      }
      for (var e : o.errors()) {
        sb.append("<errors>");
        for (var f : e.fields()) {
          sb.append("<fields>").append(xmlEscape(f)).append("</fields>");
        }
        sb.append("<message>").append(xmlEscape(e.message())).append("</message><statusCode>").append(e.statusCode())
            .append("</statusCode></errors>");
      }
      if (o.id() == null) {
        sb.append("<id xsi:nil=\"true\"/>");
      } else {
        sb.append("<id>").append(o.id()).append("</id>");
      }
      sb.append("<success>").append(o.success()).append("</success></result>");
    }
    return sb.append("</").append(op).append("Response>").toString();
  }

  // ---- retrieve, undelete, merge, convertLead, search ----

  private static final int MAX_RETRIEVE = 2000;

  /** retrieve: the records with the ids given, in their order, nil where an id names no live record of the type. */
  private String retrieve(Element operation) {
    var fieldList = text(child(operation, "fieldList"));
    var type = text(child(operation, "sObjectType"));
    var ids = children(operation, "ids").stream().map(SoapEndpoint::text).toList();
    if (ids.size() > MAX_RETRIEVE) {
      throw new CallFault("EXCEEDED_ID_LIMIT", "UnexpectedErrorFault",
          "retrieve takes at most " + MAX_RETRIEVE + " ids, not " + ids.size());
    }
    if (fieldList == null || fieldList.isBlank()) {
      throw new CallFault("MALFORMED_QUERY", "MalformedQueryFault", "fieldList must name at least one field");
    }
    var def = store.schema().object(type == null ? "" : type).orElseThrow(() -> new CallFault("INVALID_TYPE",
        "InvalidSObjectFault", "sObject type '" + type + "' is not supported."));
    // retrieve returns each record's Id whether the field list names it or not
    boolean namesId = java.util.Arrays.stream(fieldList.split(",")).anyMatch(f -> f.trim().equalsIgnoreCase("Id"));
    var q = Soql.parse("SELECT " + (namesId ? "" : "Id, ") + fieldList + " FROM " + def.name(), store.schema(), store);
    if (!q.subqueries().isEmpty() || q.aggregate() || q.count()) {
      throw new CallFault("MALFORMED_QUERY", "MalformedQueryFault", "fieldList takes fields only: " + fieldList);
    }
    var sb = new StringBuilder("<retrieveResponse>");
    for (var id : ids) {
      if (id == null || !IdMinter.wellFormed(id)) {
        throw new CallFault("MALFORMED_ID", "UnexpectedErrorFault", "malformed id " + id);
      }
      var row = store.find(id).filter(r -> !r.deleted() && r.type == def);
      if (row.isEmpty()) {
        sb.append("<result xsi:nil=\"true\"/>");
      } else {
        sb.append("<result xsi:type=\"sf:sObject\">");
        appendRecord(sb, q, row.get());
        sb.append("</result>");
      }
    }
    return sb.append("</retrieveResponse>").toString();
  }

  private String undelete(Element operation, Element header, String user) {
    boolean allOrNone = "true".equalsIgnoreCase(text(child(child(header, "AllOrNoneHeader"), "allOrNone")));
    var ids = children(operation, "ids").stream().map(SoapEndpoint::text).toList();
    checkSize(ids.size());
    var outcomes = store.undelete(ids, allOrNone, user, faults.takeLock());
    var sb = new StringBuilder("<undeleteResponse>");
    for (var o : outcomes) {
      sb.append("<result>");
      appendErrors(sb, o.errors());
      appendId(sb, "id", o.id());
      sb.append("<success>").append(o.success()).append("</success></result>");
    }
    return sb.append("</undeleteResponse>").toString();
  }

  private String merge(Element operation, String user) {
    var requests = children(operation, "request");
    checkSize(requests.size());
    boolean locked = faults.takeLock();
    var sb = new StringBuilder("<mergeResponse>");
    for (var r : requests) {
      var masterElement = child(r, "masterRecord");
      if (masterElement == null) {
        throw new CallFault("INVALID_ARGUMENT_TYPE", "UnexpectedErrorFault", "a merge request needs a masterRecord");
      }
      var master = input(masterElement);
      var losers = children(r, "recordToMergeIds").stream().map(SoapEndpoint::text).toList();
      var m = store.merge(master, losers, user, locked);
      sb.append("<result>");
      appendErrors(sb, m.outcome().errors());
      appendId(sb, "id", m.outcome().id());
      for (var id : m.mergedIds()) {
        sb.append("<mergedRecordIds>").append(id).append("</mergedRecordIds>");
      }
      sb.append("<success>").append(m.outcome().success()).append("</success>");
      for (var id : m.updatedRelatedIds()) {
        sb.append("<updatedRelatedIds>").append(id).append("</updatedRelatedIds>");
      }
      sb.append("</result>");
    }
    return sb.append("</mergeResponse>").toString();
  }

  private String convertLead(Element operation, String user) {
    var converts = children(operation, "leadConverts");
    checkSize(converts.size());
    boolean locked = faults.takeLock();
    var sb = new StringBuilder("<convertLeadResponse>");
    for (var e : converts) {
      var c = new OrgStore.LeadConversion(text(child(e, "leadId")), text(child(e, "convertedStatus")),
          blankToNull(text(child(e, "accountId"))), blankToNull(text(child(e, "contactId"))),
          "true".equalsIgnoreCase(text(child(e, "doNotCreateOpportunity"))),
          blankToNull(text(child(e, "opportunityName"))), blankToNull(text(child(e, "ownerId"))));
      var r = store.convertLead(c, user, locked);
      sb.append("<result>");
      appendId(sb, "accountId", r.accountId());
      appendId(sb, "contactId", r.contactId());
      appendErrors(sb, r.errors());
      appendId(sb, "leadId", r.leadId());
      appendId(sb, "opportunityId", r.opportunityId());
      sb.append("<relatedPersonAccountId xsi:nil=\"true\"/><success>").append(r.success())
          .append("</success></result>");
    }
    return sb.append("</convertLeadResponse>").toString();
  }

  private String search(String sosl) {
    var hits = Sosl.run(sosl, store);
    var sb = new StringBuilder("<searchResponse><result><queryId xsi:nil=\"true\"/>");
    for (var hit : hits) {
      sb.append("<searchRecords><record xsi:type=\"sf:sObject\">");
      appendRecord(sb, hit.query(), hit.row());
      sb.append("</record></searchRecords>");
    }
    return sb.append("</result></searchResponse>").toString();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static void appendId(StringBuilder sb, String element, String id) {
    if (id == null) {
      sb.append('<').append(element).append(" xsi:nil=\"true\"/>");
    } else {
      sb.append('<').append(element).append('>').append(id).append("</").append(element).append('>');
    }
  }

  private static void appendErrors(StringBuilder sb, List<OrgStore.SaveError> errors) {
    for (var e : errors) {
      sb.append("<errors>");
      for (var f : e.fields()) {
        sb.append("<fields>").append(xmlEscape(f)).append("</fields>");
      }
      sb.append("<message>").append(xmlEscape(e.message())).append("</message><statusCode>").append(e.statusCode())
          .append("</statusCode></errors>");
    }
  }

  private static void checkSize(int n) {
    if (n > MAX_DML) {
      throw new CallFault("EXCEEDED_ID_LIMIT", "UnexpectedErrorFault",
          "record limit reached. cannot submit more than " + MAX_DML + " records into this call");
    }
  }

  private static Input input(Element e) {
    String type = null;
    String id = null;
    var values = new LinkedHashMap<String, String>();
    var toNull = new ArrayList<String>();
    for (var c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (!(c instanceof Element f)) {
        continue;
      }
      var name = f.getLocalName();
      switch (name) {
        case "type" -> type = text(f);
        case "fieldsToNull" -> toNull.add(text(f));
        case "Id" -> {
          var v = text(f);
          if (v != null && !v.isEmpty()) {
            id = v;
          }
        }
        default -> {
          if ("true".equals(f.getAttributeNS(XSI, "nil"))) {
            toNull.add(name);
          } else {
            values.put(name, text(f) == null ? "" : text(f));
          }
        }
      }
    }
    return new Input(type, id, values, toNull);
  }

  // ---- replication ----

  private String getUpdated(Element op) {
    var type = text(child(op, "sObjectType"));
    var window = window(op);
    var ids = store.updatedIds(objectName(type), window[0], window[1]);
    checkIdLimit(ids.size());
    var sb = new StringBuilder("<getUpdatedResponse><result>");
    for (var id : ids) {
      sb.append("<ids>").append(id).append("</ids>");
    }
    return sb.append("<latestDateCovered>").append(WireFormat.format(window[1]))
        .append("</latestDateCovered></result></getUpdatedResponse>").toString();
  }

  private String getDeleted(Element op) {
    var type = text(child(op, "sObjectType"));
    var window = window(op);
    var rows = store.deletedRows(objectName(type), window[0], window[1]);
    checkIdLimit(rows.size());
    var sb = new StringBuilder("<getDeletedResponse><result>");
    for (var r : rows) {
      sb.append("<deletedRecords><deletedDate>").append(WireFormat.format(r.deletedAt)).append("</deletedDate><id>")
          .append(r.id).append("</id></deletedRecords>");
    }
    var earliest = store.clock().instant().minus(Duration.ofDays(15)).truncatedTo(ChronoUnit.MINUTES);
    return sb.append("<earliestDateAvailable>").append(WireFormat.format(earliest))
        .append("</earliestDateAvailable><latestDateCovered>").append(WireFormat.format(window[1]))
        .append("</latestDateCovered></result></getDeletedResponse>").toString();
  }

  private String objectName(String type) {
    return store.schema().object(type == null ? "" : type).map(ObjectDef::name).orElseThrow(() ->
        new CallFault("INVALID_TYPE", "InvalidSObjectFault", "sObject type '" + type + "' is not supported."));
  }

  private void checkIdLimit(int n) {
    if (n > faults.idLimitValue()) {
      throw new CallFault("EXCEEDED_ID_LIMIT", "UnexpectedErrorFault",
          "Exceeded the ID limit (" + faults.idLimitValue() + "): narrow the start and end dates");
    }
  }

  /** The [start, end) window, seconds truncated as Salesforce does, checked against the 30-day rule. */
  private Instant[] window(Element op) {
    Instant start;
    Instant end;
    try {
      start = WireFormat.parseInstant(text(child(op, "startDate"))).truncatedTo(ChronoUnit.MINUTES);
      end = WireFormat.parseInstant(text(child(op, "endDate"))).truncatedTo(ChronoUnit.MINUTES);
    } catch (RuntimeException e) {
      throw new CallFault("INVALID_REPLICATION_DATE", "UnexpectedErrorFault", "startDate and endDate are required");
    }
    var now = store.clock().instant();
    if (!start.isBefore(end)) {
      throw new CallFault("INVALID_REPLICATION_DATE", "UnexpectedErrorFault", "startDate must chronologically precede endDate");
    }
    if (start.isBefore(now.minus(Duration.ofDays(30)))) {
      throw new CallFault("INVALID_REPLICATION_DATE", "UnexpectedErrorFault",
          "startDate cannot be more than 30 days ago");
    }
    if (end.isAfter(now)) {
      end = now.truncatedTo(ChronoUnit.MINUTES);
    }
    return new Instant[] {start, end};
  }

  // ---- envelopes ----

  private String envelope(String body) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns=\"" + PARTNER_NS + "\" xmlns:xsi=\"" + XSI + "\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
        + " xmlns:sf=\"urn:sobject.partner.soap.sforce.com\">"
        + "<soapenv:Header><LimitInfoHeader><limitInfo><current>" + faults.requestsUsed() + "</current><limit>"
        + faults.requestLimit() + "</limit><type>API REQUESTS</type></limitInfo></LimitInfoHeader></soapenv:Header>"
        + "<soapenv:Body>" + body + "</soapenv:Body></soapenv:Envelope>";
  }

  static Reply fault(String code, String faultType, String message) {
    var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\""
        + " xmlns:sf=\"urn:fault.partner.soap.sforce.com\" xmlns:xsi=\"" + XSI + "\"><soapenv:Body><soapenv:Fault>"
        + "<faultcode>sf:" + code + "</faultcode><faultstring>" + xmlEscape(code + ": " + message) + "</faultstring>"
        + "<detail><sf:" + faultType + " xsi:type=\"sf:" + faultType + "\"><sf:exceptionCode>" + code
        + "</sf:exceptionCode><sf:exceptionMessage>" + xmlEscape(message) + "</sf:exceptionMessage>"
        + (faultType.equals("MalformedQueryFault") || faultType.equals("InvalidFieldFault")
            || faultType.equals("MalformedSearchFault") || faultType.equals("ApiQueryFault")
            ? "<sf:row>-1</sf:row><sf:column>-1</sf:column>" : "")
        + "</sf:" + faultType + "></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>";
    return Reply.xml(500, xml);
  }

  // ---- DOM ----

  static Element child(Element parent, String localName) {
    if (parent == null) {
      return null;
    }
    for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element e && localName.equals(e.getLocalName())) {
        return e;
      }
    }
    return null;
  }

  static List<Element> children(Element parent, String localName) {
    var out = new ArrayList<Element>();
    for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element e && localName.equals(e.getLocalName())) {
        out.add(e);
      }
    }
    return out;
  }

  static Element firstElement(Element parent) {
    if (parent == null) {
      return null;
    }
    for (Node c = parent.getFirstChild(); c != null; c = c.getNextSibling()) {
      if (c instanceof Element e) {
        return e;
      }
    }
    return null;
  }

  static String text(Element e) {
    if (e == null || "true".equals(e.getAttributeNS(XSI, "nil"))) {
      return null;
    }
    return e.getTextContent();
  }
}
