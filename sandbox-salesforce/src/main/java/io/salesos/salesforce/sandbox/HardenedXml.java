package io.salesos.salesforce.sandbox;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

/**
 * The one place this module makes XML parsers: request bodies come from whoever can reach the
 * port, so no DOCTYPE, no external entities or DTDs, no XInclude (OWASP's XXE prevention).
 */
final class HardenedXml {

  private HardenedXml() {}

  /** A namespace-aware factory whose parsers refuse any document with a DOCTYPE. */
  static DocumentBuilderFactory documentBuilderFactory() {
    // the JDK's own parser, not whatever a jar on the class path registers: it knows every feature below
    var dbf = DocumentBuilderFactory.newDefaultInstance();
    dbf.setNamespaceAware(true);
    try {
      dbf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      // refusing the DOCTYPE outright stops XXE and entity expansion (billion laughs) alike; the
      // features after it are the second line should a parser ever let a DOCTYPE through
      dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      dbf.setFeature("http://xml.org/sax/features/external-general-entities", false);
      dbf.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
      dbf.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    } catch (ParserConfigurationException e) {
      // fail closed: a parser that cannot be hardened must not parse requests
      throw new IllegalStateException("the XML parser " + dbf.getClass().getName()
          + " cannot be hardened against external entities: " + e.getMessage(), e);
    }
    dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    dbf.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    dbf.setXIncludeAware(false);
    dbf.setExpandEntityReferences(false);
    return dbf;
  }
}
