package shardctrl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The controller's record of its own servers (part of {@link CtrlStateMachine}): the servers its
 * group has now and every server it ever had, so that a controller replica move never hands out an
 * id that once voted. Empty until the first {@link CtrlCommand.AddController}, which seeds it with
 * the bootstrap servers it carries. Deterministic; mutable, owned by the state machine.
 */
final class ControllerServers {
  private final List<String> current = new ArrayList<>();
  private final TreeSet<String> used = new TreeSet<>();

  /** The servers now; empty while nothing is recorded. */
  List<String> current() {
    return List.copyOf(current);
  }

  /** Null if added, else the refusal. */
  CtrlReply add(CtrlCommand.AddController a) {
    boolean seeding = current.isEmpty();
    if (seeding ? a.bootstrap().contains(a.server()) : used.contains(a.server()))
      return new CtrlReply.ServerUsedBefore(CtrlReply.Controllers.GID, a.server()); // a refusal changes nothing
    if (seeding) {
      current.addAll(a.bootstrap());
      used.addAll(a.bootstrap());
    }
    current.add(a.server());
    used.add(a.server());
    return null;
  }

  /** Null if removed, else the refusal. */
  CtrlReply remove(CtrlCommand.RemoveController r) {
    if (!current.contains(r.server())) return new CtrlReply.UnknownServer(CtrlReply.Controllers.GID, r.server());
    if (current.size() == 1)
      return new CtrlReply.Rejected("server " + r.server() + " is the controller's last; the controller needs one");
    current.remove(r.server());
    return null;
  }

  void write(DataOutputStream out) throws IOException {
    CtrlCodec.writeStrings(current, out);
    CtrlCodec.writeStrings(List.copyOf(used), out);
  }

  /** Nothing recorded (a snapshot from before the record). */
  void clear() {
    current.clear();
    used.clear();
  }

  /** Reads what {@link #write} wrote; a snapshot from before the record ends early, and leaves it empty. */
  void read(DataInputStream in) throws IOException {
    current.clear();
    used.clear();
    List<String> now;
    try {
      now = CtrlCodec.readStrings(in);
    } catch (EOFException e) {
      return; // written before controller moves existed: nothing recorded
    }
    current.addAll(now);
    used.addAll(CtrlCodec.readStrings(in));
  }
}
