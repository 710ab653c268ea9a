-- Wireshark dissector for the test frames reflectord reflects (SPEC section 2) and for the
-- trailer ito-tester writes after their signature (tools/tester/trailer.h).
--   ITO:     5-byte vendor header, then "PROBEOT", "DATA:OT" or "LATENCY" at payload offset 5
--   custom:  "RFC2544" or "Y.1564 " at payload offset 0
--   ito-tester without a signature: the marker "itotest" where a signature would be
-- The trailer follows at the next even payload offset: stream id (2 bytes), sequence (4),
-- low 32 bits of the send time in ns (4), little-endian. Registered on UDP port 3842 and as
-- a heuristic UDP dissector (for rules on other ports; where a port belongs to another
-- dissector, such as echo's 7, Wireshark asks heuristics only with udp.try_heuristic_first).
--   tshark -X lua_script:ito.lua -r capture.pcap -Y ito
-- Installed by the reflector package in Wireshark's global plugin directory.

local ito = Proto("ito", "ITO / RFC 2544 / Y.1564 test frame")

local f = ito.fields
f.header = ProtoField.bytes("ito.header", "Vendor header")
f.signature = ProtoField.string("ito.signature", "Signature")
f.kind = ProtoField.string("ito.kind", "Kind")
f.trailer = ProtoField.none("ito.trailer", "ito-tester trailer")
f.stream_id = ProtoField.uint16("ito.trailer.stream_id", "Stream id", base.HEX)
f.sequence = ProtoField.uint32("ito.trailer.sequence", "Sequence")
f.tx_time = ProtoField.uint32("ito.trailer.tx_time", "Send time (ns, low 32 bits)")

ito.prefs.trailer = Pref.bool("Decode the ito-tester trailer", true,
  "Show the 10 bytes after the signature as ito-tester's stream id, sequence and send time")

local ITO_OFFSET = 5
local SIG_LEN = 7
local TRAILER_LEN = 10
local SIGNATURES = {
  [ITO_OFFSET] = {
    ["PROBEOT"] = "ITO probe", ["DATA:OT"] = "ITO data stream",
    ["LATENCY"] = "ITO latency stream", ["itotest"] = "ito-tester, no signature",
  },
  [0] = {
    ["RFC2544"] = "RFC 2544", ["Y.1564 "] = "Y.1564", ["itotest"] = "ito-tester, no signature",
  },
}

-- The offset and kind of the signature in `buffer`, or nil when it carries none.
local function find_signature(buffer)
  for _, offset in ipairs({ ITO_OFFSET, 0 }) do
    if buffer:len() >= offset + SIG_LEN then
      local kind = SIGNATURES[offset][buffer(offset, SIG_LEN):string()]
      if kind then return offset, kind end
    end
  end
  return nil
end

local function dissect(buffer, pinfo, tree)
  local offset, kind = find_signature(buffer)
  if not offset then return 0 end
  pinfo.cols.protocol = "ITO"
  local subtree = tree:add(ito, buffer(), "Test frame: " .. kind)
  if offset == ITO_OFFSET then subtree:add(f.header, buffer(0, ITO_OFFSET)) end
  subtree:add(f.signature, buffer(offset, SIG_LEN))
  subtree:add(f.kind, kind):set_generated()
  local info = kind
  local trailer = (offset + SIG_LEN + 1) - (offset + SIG_LEN + 1) % 2
  if ito.prefs.trailer and buffer:len() >= trailer + TRAILER_LEN then
    local t = subtree:add(f.trailer, buffer(trailer, TRAILER_LEN))
    t:add_le(f.stream_id, buffer(trailer, 2))
    t:add_le(f.sequence, buffer(trailer + 2, 4))
    t:add_le(f.tx_time, buffer(trailer + 6, 4))
    info = string.format("%s, stream 0x%04x seq %d", kind, buffer(trailer, 2):le_uint(),
                         buffer(trailer + 2, 4):le_uint())
  end
  pinfo.cols.info = info
  return buffer:len()
end

function ito.dissector(buffer, pinfo, tree)
  return dissect(buffer, pinfo, tree)
end

local function heuristic(buffer, pinfo, tree)
  if not find_signature(buffer) then return false end
  dissect(buffer, pinfo, tree)
  return true
end

DissectorTable.get("udp.port"):add(3842, ito)
ito:register_heuristic("udp", heuristic)
