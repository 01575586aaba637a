-- Wireshark dissector for the cablesim cable frame format (README.md,
-- "Wireshark dissector").
--
--   cablesim dissector > cablesim.lua
--   wireshark -X lua_script:cablesim.lua capture.pcapng
--
-- A link carries frames as [u32 big-endian length][postcard-encoded Frame].
-- Postcard writes an enum as a LEB128 varint discriminant (declaration
-- order), a struct as its fields in order, a string or byte vector as a
-- varint length and the bytes, a list as a varint count and the items, an
-- Option as a 0/1 byte and the value, u8 as one byte, u16/u32 as varints,
-- and a fixed [u8; N] array as N raw bytes. This file decodes exactly the
-- types of src/wire/frame.rs and src/crypto; the name tables and constants
-- below are filled in from the Rust types by `cablesim dissector`, and the
-- tests run every frame kind through tshark to keep the rest in step.
--
-- Written for Lua 5.2 (Wireshark 3.x/4.0) and later: no bit operators, and
-- numbers stay below 2^53, so plain arithmetic decodes the varints.

local PLAIN_PORT = @@PLAIN_PORT@@
local TLS_PORT = @@TLS_PORT@@
local PROTOCOL_VERSION = @@PROTOCOL_VERSION@@
local CABLE_HEADER_VERSION = @@CABLE_HEADER_VERSION@@
local ENVELOPE_VERSION = @@ENVELOPE_VERSION@@
-- Hybrid X25519 + ML-KEM-768 wraps (post_quantum): same layout, each
-- wrap's sealed secret led by the ML-KEM ciphertext.
local HYBRID_ENVELOPE_VERSION = @@HYBRID_ENVELOPE_VERSION@@
local LENGTH_PREFIX = @@LENGTH_PREFIX@@
local MAX_FRAME = @@MAX_FRAME@@

-- Variant names, indexed by postcard discriminant.
local FRAME_TYPES = @@FRAME_TYPES@@
local CLASSIFICATIONS = @@CLASSIFICATIONS@@
local ERROR_CODES = @@ERROR_CODES@@
local SEAL_MODES = @@SEAL_MODES@@
local PAYLOAD_KINDS = { [0] = "clear", [1] = "sealed" }
local KEY_KINDS = { [0] = "static", [1] = "epoch", [2] = "hybrid static", [3] = "hybrid epoch" }

local cablesim = Proto("cablesim", "cablesim cable frames")

local f = {
    length = ProtoField.uint32("cablesim.length", "Length", base.DEC),
    type = ProtoField.uint32("cablesim.type", "Frame type", base.DEC, FRAME_TYPES),

    hello_node = ProtoField.string("cablesim.hello.node", "Node"),
    hello_protocol = ProtoField.uint16("cablesim.hello.protocol", "Protocol version", base.DEC),

    payload = ProtoField.uint32("cablesim.payload", "Payload", base.DEC, PAYLOAD_KINDS),
    cable_version = ProtoField.uint8("cablesim.cable.version", "Cable header version", base.DEC),
    -- One field for the cable id of submit, deliver, ack and error frames,
    -- so that `cablesim.cable_id == "C-000042"` follows one cable end to end.
    cable_id = ProtoField.string("cablesim.cable_id", "Cable id"),
    day = ProtoField.uint32("cablesim.day", "Day", base.DEC),
    from = ProtoField.string("cablesim.from", "From"),
    to = ProtoField.string("cablesim.to", "To"),
    recipient = ProtoField.string("cablesim.recipient", "Recipient"),
    classification = ProtoField.uint32("cablesim.classification", "Classification", base.DEC, CLASSIFICATIONS),

    subject = ProtoField.string("cablesim.subject", "Subject"),
    body = ProtoField.string("cablesim.body", "Body"),
    signed = ProtoField.bool("cablesim.signed", "Signed"),
    signature = ProtoField.bytes("cablesim.signature", "Signature"),

    envelope_version = ProtoField.uint8("cablesim.envelope.version", "Envelope version", base.DEC),
    mode = ProtoField.uint32("cablesim.mode", "Seal mode", base.DEC, SEAL_MODES),
    ephemeral = ProtoField.bytes("cablesim.ephemeral", "Ephemeral key"),
    wrap_count = ProtoField.uint32("cablesim.wrap_count", "Wraps", base.DEC),
    wrap_recipient = ProtoField.string("cablesim.wrap.recipient", "Recipient"),
    wrap_key_id = ProtoField.bytes("cablesim.wrap.key_id", "Key id"),
    wrap_epoch = ProtoField.uint32("cablesim.wrap.epoch", "Epoch", base.DEC),
    wrap_secret_len = ProtoField.uint32("cablesim.wrap.secret_len", "Wrapped secret length", base.DEC),
    ciphertext_len = ProtoField.uint32("cablesim.ciphertext_len", "Ciphertext length", base.DEC),
    ciphertext = ProtoField.bytes("cablesim.ciphertext", "Ciphertext"),

    error_code = ProtoField.uint32("cablesim.error.code", "Error code", base.DEC, ERROR_CODES),
    error_detail = ProtoField.string("cablesim.error.detail", "Detail"),

    request_node = ProtoField.string("cablesim.request.node", "Requested node"),
    entry_count = ProtoField.uint32("cablesim.entry_count", "Entries", base.DEC),
    entry_node = ProtoField.string("cablesim.entry.node", "Node"),
    entry_identity = ProtoField.bytes("cablesim.entry.identity", "Identity"),
    key_kind = ProtoField.uint32("cablesim.key.kind", "Key kind", base.DEC, KEY_KINDS),
    key_epoch = ProtoField.uint32("cablesim.key.epoch", "Epoch", base.DEC),
    key_public = ProtoField.bytes("cablesim.key.public", "Public key"),
    key_kem = ProtoField.bytes("cablesim.key.kem", "ML-KEM-768 encapsulation key"),
    -- An empty signature marks a key its owner never published: the
    -- directory's "ghost key" (ARCHITECTURE.md, rule 3).
    key_signature_len = ProtoField.uint32("cablesim.key.signature_len", "Signature length", base.DEC),
}

local field_list = {}
for _, field in pairs(f) do
    field_list[#field_list + 1] = field
end
cablesim.fields = field_list

local e = {
    malformed = ProtoExpert.new("cablesim.malformed", "Malformed cable frame", expert.group.MALFORMED,
        expert.severity.ERROR),
    version = ProtoExpert.new("cablesim.version", "Version this build of cablesim does not speak",
        expert.group.PROTOCOL, expert.severity.WARN),
}
cablesim.experts = { e.malformed, e.version }

-- A cursor over one frame body. Every read checks the body's end and
-- raises MALFORMED past it, which the frame dissector turns into an expert
-- item, as the Rust decoder refuses such a frame.
local MALFORMED = "frame body ends early"

local Reader = {}
Reader.__index = Reader

function Reader.new(tvb, offset, limit)
    return setmetatable({ tvb = tvb, pos = offset, limit = limit }, Reader)
end

function Reader:take(n)
    if n < 0 or self.pos + n > self.limit then
        error(MALFORMED, 0)
    end
    local start = self.pos
    self.pos = self.pos + n
    return start
end

-- The range from `start` to the cursor: never empty, since every value
-- has at least one byte of encoding (Wireshark refuses empty ranges).
function Reader:since(start)
    return self.tvb:range(start, self.pos - start)
end

function Reader:u8()
    local start = self:take(1)
    return self.tvb:range(start, 1):uint(), self:since(start)
end

function Reader:varint()
    local start = self.pos
    local value, scale = 0, 1
    -- Ten bytes hold any u64; a longer run of continuation bits is garbage.
    for _ = 1, 10 do
        local byte = self:u8()
        value = value + (byte % 128) * scale
        if byte < 128 then
            return value, self:since(start)
        end
        scale = scale * 128
    end
    error("varint longer than ten bytes", 0)
end

-- Length-prefixed bytes: the content's range (nil when empty) and the
-- range of prefix and content together.
function Reader:bytes()
    local start = self.pos
    local len = self:varint()
    local content_start = self:take(len)
    local content = nil
    if len > 0 then
        content = self.tvb:range(content_start, len)
    end
    return content, self:since(start), len
end

function Reader:string()
    local content, whole = self:bytes()
    if content == nil then
        return "", whole
    end
    return content:string(ENC_UTF_8), whole
end

function Reader:array(n)
    local start = self:take(n)
    return self.tvb:range(start, n)
end

function Reader:option()
    local tag, range = self:u8()
    if tag > 1 then
        error("option tag " .. tag, 0)
    end
    return tag == 1, range
end

-- A `Vec<String>`: one item per name under a subtree titled with the count.
local function add_names(reader, tree, field, title)
    local start = reader.pos
    local count = reader:varint()
    local sub = tree:add(reader:since(start), title .. " (" .. count .. ")")
    local names = {}
    for i = 1, count do
        local name, range = reader:string()
        sub:add(field, range, name)
        names[i] = name
    end
    sub:set_len(reader.pos - start)
    return names
end

-- "1 wrap", "3 wraps".
local function count_of(n, noun)
    if n == 1 then
        return n .. " " .. noun
    end
    return n .. " " .. noun .. "s"
end

local function version_check(item, found, expected, what)
    if found ~= expected then
        item:add_proto_expert_info(e.version, what .. " " .. found .. ", this build speaks " .. expected)
    end
end

-- CableHeader (src/model/cable.rs). Returns a one-line summary.
local function dissect_cable_header(reader, tree)
    local start = reader.pos
    local sub = tree:add(reader.tvb:range(start, 1), "Cable header")
    local version, vrange = reader:u8()
    version_check(sub:add(f.cable_version, vrange, version), version, CABLE_HEADER_VERSION,
        "cable header version")
    local id, id_range = reader:string()
    sub:add(f.cable_id, id_range, id)
    local day, day_range = reader:varint()
    sub:add(f.day, day_range, day)
    local from, from_range = reader:string()
    sub:add(f.from, from_range, from)
    local to = add_names(reader, sub, f.to, "To")
    add_names(reader, sub, f.recipient, "Recipients")
    local class, class_range = reader:varint()
    sub:add(f.classification, class_range, class)
    sub:set_len(reader.pos - start)
    local class_name = CLASSIFICATIONS[class] or ("classification " .. class)
    sub:append_text(": " .. id .. ", day " .. day .. ", " .. from .. " -> " .. table.concat(to, ", ")
        .. ", " .. class_name)
    return id .. " " .. from .. " -> " .. table.concat(to, ",") .. " [" .. class_name .. "]"
end

-- CablePayload::Clear(ClearCable) (src/crypto/payload.rs).
local function dissect_clear(reader, tree)
    local summary = dissect_cable_header(reader, tree)
    local subject, subject_range = reader:string()
    tree:add(f.subject, subject_range, subject)
    local body, body_range = reader:string()
    tree:add(f.body, body_range, body)
    local signed, tag_range = reader:option()
    tree:add(f.signed, tag_range, signed)
    if signed then
        local sig, whole = reader:bytes()
        if sig ~= nil then
            tree:add(f.signature, sig)
        else
            tree:add(whole, "Signature: (empty)")
        end
    end
    return summary .. " clear"
end

-- Wrap (src/crypto/envelope.rs).
local function dissect_wrap(reader, tree)
    local start = reader.pos
    local sub = tree:add(reader.tvb:range(start, 1), "Wrap")
    local recipient, recipient_range = reader:string()
    sub:add(f.wrap_recipient, recipient_range, recipient)
    local key_id = reader:array(8)
    sub:add(f.wrap_key_id, key_id)
    local has_epoch = reader:option()
    local text = " for " .. recipient .. ", key " .. key_id:bytes():tohex(true)
    if has_epoch then
        local epoch, epoch_range = reader:varint()
        sub:add(f.wrap_epoch, epoch_range, epoch)
        text = text .. ", epoch " .. epoch
    end
    local _, secret_range, secret_len = reader:bytes()
    sub:add(f.wrap_secret_len, secret_range, secret_len)
    sub:set_len(reader.pos - start)
    sub:append_text(text)
end

-- CablePayload::Sealed(Envelope): SealedHeader then the ciphertext.
local function dissect_sealed(reader, tree)
    local version, vrange = reader:u8()
    local version_item = tree:add(f.envelope_version, vrange, version)
    if version == HYBRID_ENVELOPE_VERSION then
        version_item:append_text(" (hybrid X25519 + ML-KEM-768 wraps)")
    else
        version_check(version_item, version, ENVELOPE_VERSION, "envelope version")
    end
    local summary = dissect_cable_header(reader, tree)
    local mode, mode_range = reader:varint()
    tree:add(f.mode, mode_range, mode)
    local ephemeral = tree:add(f.ephemeral, reader:array(32))
    if SEAL_MODES[mode] == "group" then
        ephemeral:append_text(" (group mode: the wrap key's salt)")
    end
    local wraps_start = reader.pos
    local count, count_range = reader:varint()
    -- The count item is also the subtree of the wraps it counts.
    local wraps = tree:add(f.wrap_count, count_range, count)
    for _ = 1, count do
        dissect_wrap(reader, wraps)
    end
    wraps:set_len(reader.pos - wraps_start)
    local ciphertext, whole, len = reader:bytes()
    tree:add(f.ciphertext_len, whole, len)
    if ciphertext ~= nil then
        tree:add(f.ciphertext, ciphertext)
    end
    local mode_name = SEAL_MODES[mode] or ("mode " .. mode)
    return summary .. " sealed " .. mode_name .. ", " .. count_of(count, "wrap")
end

local function dissect_payload(reader, tree)
    local start = reader.pos
    local sub = tree:add(reader.tvb:range(start, 1), "Cable")
    local kind, kind_range = reader:varint()
    sub:add(f.payload, kind_range, kind)
    local summary
    if kind == 0 then
        summary = dissect_clear(reader, sub)
    elseif kind == 1 then
        summary = dissect_sealed(reader, sub)
    else
        error("unknown payload kind " .. kind, 0)
    end
    sub:set_len(reader.pos - start)
    sub:append_text(" (" .. PAYLOAD_KINDS[kind] .. ")")
    return summary
end

-- PublishedKey (src/crypto/directory.rs).
local function dissect_key(reader, tree)
    local start = reader.pos
    local sub = tree:add(reader.tvb:range(start, 1), "Key")
    local kind, kind_range = reader:varint()
    sub:add(f.key_kind, kind_range, kind)
    local text = ": " .. (KEY_KINDS[kind] or "?")
    if kind == 1 or kind == 3 then
        local epoch, epoch_range = reader:varint()
        sub:add(f.key_epoch, epoch_range, epoch)
        text = text .. " " .. epoch
    elseif kind ~= 0 and kind ~= 2 then
        error("unknown key kind " .. kind, 0)
    end
    local public = reader:array(32)
    sub:add(f.key_public, public)
    if kind >= 2 then
        -- Length-prefixed like any byte vector: 1,184 bytes.
        local kem = reader:bytes()
        if kem ~= nil then
            sub:add(f.key_kem, kem)
        end
    end
    local _, sig_range, sig_len = reader:bytes()
    sub:add(f.key_signature_len, sig_range, sig_len)
    sub:set_len(reader.pos - start)
    sub:append_text(text .. ", " .. public:bytes():tohex(true))
end

-- DirectoryEntry (src/crypto/directory.rs).
local function dissect_entry(reader, tree)
    local start = reader.pos
    local sub = tree:add(reader.tvb:range(start, 1), "Directory entry")
    local node, node_range = reader:string()
    sub:add(f.entry_node, node_range, node)
    sub:add(f.entry_identity, reader:array(32))
    local keys_start = reader.pos
    local count = reader:varint()
    local keys = sub:add(reader:since(keys_start), "Keys (" .. count .. ")")
    for _ = 1, count do
        dissect_key(reader, keys)
    end
    keys:set_len(reader.pos - keys_start)
    sub:set_len(reader.pos - start)
    sub:append_text(": " .. node .. ", " .. count_of(count, "key"))
    return node
end

-- Frame (src/wire/frame.rs), one function per variant, each returning the
-- text the Info column shows after the frame type.
local FRAME_BODIES = {
    -- hello
    [0] = function(reader, tree)
        local node, node_range = reader:string()
        tree:add(f.hello_node, node_range, node)
        local protocol, protocol_range = reader:varint()
        local item = tree:add(f.hello_protocol, protocol_range, protocol)
        version_check(item, protocol, PROTOCOL_VERSION, "protocol")
        return node
    end,
    -- submit
    [1] = dissect_payload,
    -- deliver
    [2] = dissect_payload,
    -- ack
    [3] = function(reader, tree)
        local id, range = reader:string()
        tree:add(f.cable_id, range, id)
        return id
    end,
    -- publish
    [4] = function(reader, tree)
        return dissect_entry(reader, tree)
    end,
    -- directory-request
    [5] = function(reader, tree)
        local names = add_names(reader, tree, f.request_node, "Requested nodes")
        if #names == 0 then
            return "all"
        end
        return table.concat(names, ",")
    end,
    -- directory-answer
    [6] = function(reader, tree)
        local count, count_range = reader:varint()
        tree:add(f.entry_count, count_range, count)
        local names = {}
        for i = 1, count do
            names[i] = dissect_entry(reader, tree)
        end
        return table.concat(names, ",")
    end,
    -- error
    [7] = function(reader, tree)
        local has_cable = reader:option()
        local text = ""
        if has_cable then
            local id, range = reader:string()
            tree:add(f.cable_id, range, id)
            text = " " .. id
        end
        local code, code_range = reader:varint()
        tree:add(f.error_code, code_range, code)
        local detail, detail_range = reader:string()
        tree:add(f.error_detail, detail_range, detail)
        return (ERROR_CODES[code] or ("code " .. code)) .. text .. ": " .. detail
    end,
    -- directory-watch: no fields
    [8] = function()
        return ""
    end,
    -- directory-changed: no fields
    [9] = function()
        return ""
    end,
}

-- One length-prefixed frame, whole (dissect_tcp_pdus reassembled it).
local function dissect_frame(tvb, pinfo, tree)
    local len = tvb:range(0, LENGTH_PREFIX):uint()
    local item = tree:add(cablesim, tvb:range(0, tvb:len()))
    item:add(f.length, tvb:range(0, LENGTH_PREFIX))
    local info
    if len == 0 or len > MAX_FRAME then
        item:add_proto_expert_info(e.malformed, "length " .. len .. " is not in 1.." .. MAX_FRAME)
        info = "bad length " .. len
    else
        local reader = Reader.new(tvb, LENGTH_PREFIX, LENGTH_PREFIX + len)
        local ok, result = pcall(function()
            local kind, kind_range = reader:varint()
            item:add(f.type, kind_range, kind)
            local name = FRAME_TYPES[kind]
            local body = FRAME_BODIES[kind]
            if body == nil or name == nil then
                error("unknown frame type " .. kind, 0)
            end
            item:append_text(", " .. name)
            local text = body(reader, item)
            if reader.pos ~= reader.limit then
                error((reader.limit - reader.pos) .. " trailing bytes after the frame", 0)
            end
            if text == "" then
                return name
            end
            return name .. " " .. text
        end)
        if ok then
            info = result
        else
            item:add_proto_expert_info(e.malformed, tostring(result))
            info = "malformed: " .. tostring(result)
        end
    end
    -- Several frames can share a TCP segment; the Info column lists them all.
    if tostring(pinfo.cols.protocol) == "cablesim" then
        pinfo.cols.info:append(" | " .. info)
    else
        pinfo.cols.protocol = "cablesim"
        pinfo.cols.info:set(info)
    end
    return tvb:len()
end

-- How long the frame starting at `offset` is, prefix included. A length
-- the Rust decoder would refuse ends the frame at the segment's end
-- instead, so that one bad prefix cannot stall reassembly for the rest of
-- the capture.
local function frame_length(tvb, pinfo, offset)
    local len = tvb:range(offset, LENGTH_PREFIX):uint()
    if len == 0 or len > MAX_FRAME then
        return tvb:len() - offset
    end
    return LENGTH_PREFIX + len
end

function cablesim.dissector(tvb, pinfo, tree)
    dissect_tcp_pdus(tvb, tree, LENGTH_PREFIX, frame_length, dissect_frame, true)
    return tvb:len()
end

-- Plain links: frames straight on TCP.
DissectorTable.get("tcp.port"):add(PLAIN_PORT, cablesim)
-- TLS links: TCP to the TLS dissector, whose decrypted application data
-- (keys from the capture's Decryption Secrets Block or a key log) it hands
-- to the dissector registered for the port in "tls.port".
DissectorTable.get("tcp.port"):add(TLS_PORT, Dissector.get("tls"))
DissectorTable.get("tls.port"):add(TLS_PORT, cablesim)
