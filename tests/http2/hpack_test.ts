import assert from "node:assert/strict";
import {
  encodeFields,
  type HeaderField,
  HpackDecoder,
} from "../../src/http2/hpack.ts";
import { HpackError } from "../../src/http2/errors.ts";
import { huffmanDecode, huffmanEncode } from "../../src/http2/huffman.ts";
import {
  HUFFMAN_CODES,
  HUFFMAN_LENGTHS,
} from "../../src/http2/hpack_tables.ts";

const hex = (text: string) =>
  Uint8Array.from(
    text.replace(/\s/g, "").match(/../g)!.map((h) => parseInt(h, 16)),
  );

const request1: HeaderField[] = [
  [":method", "GET"],
  [":scheme", "http"],
  [":path", "/"],
  [":authority", "www.example.com"],
];
const request2: HeaderField[] = [...request1, ["cache-control", "no-cache"]];
const request3: HeaderField[] = [
  [":method", "GET"],
  [":scheme", "https"],
  [":path", "/index.html"],
  [":authority", "www.example.com"],
  ["custom-key", "custom-value"],
];
const response1: HeaderField[] = [
  [":status", "302"],
  ["cache-control", "private"],
  ["date", "Mon, 21 Oct 2013 20:13:21 GMT"],
  ["location", "https://www.example.com"],
];
const response2: HeaderField[] = [[":status", "307"], ...response1.slice(1)];
const response3: HeaderField[] = [
  [":status", "200"],
  ["cache-control", "private"],
  ["date", "Mon, 21 Oct 2013 20:13:22 GMT"],
  ["location", "https://www.example.com"],
  ["content-encoding", "gzip"],
  ["set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1"],
];

/** RFC 7541 Appendix C: each sequence is decoded by one decoder, block after block. */
const APPENDIX_C: {
  name: string;
  tableLimit: number;
  blocks: { hex: string; fields: HeaderField[]; tableSize: number }[];
}[] = [
  {
    name: "C.2.1 literal with indexing",
    tableLimit: 4096,
    blocks: [{
      hex: "400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572",
      fields: [["custom-key", "custom-header"]],
      tableSize: 55,
    }],
  },
  {
    name: "C.2.2 literal without indexing",
    tableLimit: 4096,
    blocks: [{
      hex: "040c 2f73 616d 706c 652f 7061 7468",
      fields: [[":path", "/sample/path"]],
      tableSize: 0,
    }],
  },
  {
    name: "C.2.3 literal never indexed",
    tableLimit: 4096,
    blocks: [{
      hex: "1008 7061 7373 776f 7264 0673 6563 7265 74",
      fields: [["password", "secret"]],
      tableSize: 0,
    }],
  },
  {
    name: "C.2.4 indexed",
    tableLimit: 4096,
    blocks: [{ hex: "82", fields: [[":method", "GET"]], tableSize: 0 }],
  },
  {
    name: "C.3 requests without Huffman",
    tableLimit: 4096,
    blocks: [
      {
        hex: "828684410f7777772e6578616d706c652e636f6d",
        fields: request1,
        tableSize: 57,
      },
      { hex: "828684be58086e6f2d6361636865", fields: request2, tableSize: 110 },
      {
        hex: "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565",
        fields: request3,
        tableSize: 164,
      },
    ],
  },
  {
    name: "C.4 requests with Huffman",
    tableLimit: 4096,
    blocks: [
      {
        hex: "828684418cf1e3c2e5f23a6ba0ab90f4ff",
        fields: request1,
        tableSize: 57,
      },
      { hex: "828684be5886a8eb10649cbf", fields: request2, tableSize: 110 },
      {
        hex: "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf",
        fields: request3,
        tableSize: 164,
      },
    ],
  },
  {
    name: "C.5 responses without Huffman, table of 256 (eviction)",
    tableLimit: 256,
    blocks: [
      {
        hex:
          "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
        fields: response1,
        tableSize: 222,
      },
      { hex: "4803333037c1c0bf", fields: response2, tableSize: 222 },
      {
        hex:
          "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
        fields: response3,
        tableSize: 215,
      },
    ],
  },
  {
    name: "C.6 responses with Huffman, table of 256 (eviction)",
    tableLimit: 256,
    blocks: [
      {
        hex:
          "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
        fields: response1,
        tableSize: 222,
      },
      { hex: "4883640effc1c0bf", fields: response2, tableSize: 222 },
      {
        hex:
          "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
        fields: response3,
        tableSize: 215,
      },
    ],
  },
];

for (const sequence of APPENDIX_C) {
  Deno.test(`HPACK: RFC 7541 Appendix ${sequence.name}`, () => {
    const decoder = new HpackDecoder(sequence.tableLimit);
    for (const block of sequence.blocks) {
      const decoded = decoder.decode(hex(block.hex), 65536);
      assert.deepEqual(decoded, { fields: block.fields, tooLarge: false });
      assert.equal(decoder.tableSize, block.tableSize);
    }
  });
}

Deno.test("HPACK: dynamic table size updates shrink, evict and are bounded by our limit", () => {
  const decoder = new HpackDecoder(4096);
  decoder.decode(hex("828684410f7777772e6578616d706c652e636f6d"), 65536);
  assert.equal(decoder.tableSize, 57);
  // 0x20: size update to 0 evicts everything; then 0x3f e1 1f = 4096 again.
  assert.deepEqual(decoder.decode(hex("20 3fe11f 82"), 65536).fields, [[
    ":method",
    "GET",
  ]]);
  assert.equal(decoder.tableSize, 0);
  assert.throws(() => decoder.decode(hex("3fe21f"), 65536), /beyond 4096/); // 4097
  assert.throws(() => decoder.decode(hex("82 20"), 65536), /after a field/);
});

const BAD_BLOCKS: [string, string, RegExp][] = [
  ["index 0", "80", /index 0/],
  ["index beyond the tables", "be", /not in the table/],
  ["truncated integer", "ff", /truncated integer/],
  ["integer too large", "ff ffffffff0f", /too large/],
  ["string longer than the block", "400a 6162", /longer than the block/],
  ["Huffman padding of 8 bits", "4081 ff 00", /padding longer|invalid/],
  ["Huffman padding not ones", "4081 00 00", /not a prefix of EOS|padding/],
  ["Huffman EOS", "4084 ffffffff 00", /EOS/],
];

for (const [name, block, message] of BAD_BLOCKS) {
  Deno.test(`HPACK: ${name} is a COMPRESSION_ERROR`, () => {
    assert.throws(
      () => new HpackDecoder().decode(hex(block), 65536),
      (e: unknown) =>
        e instanceof HpackError && e.code === "COMPRESSION_ERROR" &&
        message.test(e.message),
    );
  });
}

Deno.test("HPACK: a header list over the limit is decoded (the table follows) but dropped", () => {
  const decoder = new HpackDecoder();
  const block = hex("400a637573746f6d2d6b65790c637573746f6d2d76616c7565");
  assert.deepEqual(decoder.decode(block, 40), { fields: [], tooLarge: true });
  assert.equal(decoder.tableSize, 54); // added all the same
  assert.deepEqual(decoder.decode(hex("be"), 100).fields, [[
    "custom-key",
    "custom-value",
  ]]);
});

Deno.test("Huffman: the Appendix B code is complete (Kraft sum 1) and round-trips every octet", () => {
  let sum = 0;
  for (const length of HUFFMAN_LENGTHS) sum += 2 ** -length;
  assert.equal(sum, 1);
  assert.equal(HUFFMAN_CODES.length, 257);
  let all = "";
  for (let i = 0; i < 256; i++) all += String.fromCharCode(i);
  assert.equal(huffmanDecode(huffmanEncode(all)), all);
  assert.deepEqual(
    huffmanEncode("www.example.com"),
    hex("f1e3c2e5f23a6ba0ab90f4ff"),
  );
  assert.deepEqual(huffmanEncode("no-cache"), hex("a8eb10649cbf"));
});

Deno.test("HPACK encoder: static matches indexed, names referenced, the rest literal; the decoder reads it back", () => {
  const fields: HeaderField[] = [
    [":status", "200"],
    [":status", "202"],
    ["content-type", "application/json"],
    ["x-request-id", "abc"],
    ["x-long", "v".repeat(300)],
  ];
  const block = encodeFields(fields);
  assert.equal(block[0], 0x88);
  assert.deepEqual(new HpackDecoder().decode(block, 65536).fields, fields);
});
