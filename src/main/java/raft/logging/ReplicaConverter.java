package raft.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.Map;

/**
 * Logback's {@code %replica} (registered with {@code <conversionRule>} in logback.xml): the
 * replica from the MDC as {@code [g1 p2 t5] } (the term only on the core's lines), nothing for a
 * line logged outside a replica.
 */
public final class ReplicaConverter extends ClassicConverter {
  @Override
  public String convert(ILoggingEvent event) {
    Map<String, String> mdc = event.getMDCPropertyMap();
    if (mdc == null || mdc.isEmpty()) return "";
    String group = mdc.get(ReplicaMdc.GROUP);
    String peer = mdc.get(ReplicaMdc.PEER);
    String term = mdc.get(ReplicaMdc.TERM);
    if (group == null && peer == null && term == null) return "";
    StringBuilder b = new StringBuilder(24).append('[');
    if (group != null) b.append(group);
    if (peer != null) b.append(b.length() > 1 ? " " : "").append(peer);
    if (term != null) b.append(b.length() > 1 ? " t" : "t").append(term);
    return b.append("] ").toString();
  }
}
