// The operations embedded (demo) mode opens GraphiQL with, one tab each, in the order a person
// tries them: find a client, send to it, follow the send. Field names are schema.graphql's
// (test/browser/graphiql.test.ts validates every one against the schema). Variables are JSONC:
// GraphiQL's variables editor takes comments.

export interface GraphiqlTab {
  query: string;
  variables?: string;
  headers?: string;
}

export const SEARCH_QUERY = `# 1. Find a client and see, per channel, whether a message can go there now.
#    Copy a client's id into the Send tab's variables.
query Search {
  clients(query: "Anna", first: 5) {
    edges {
      node {
        id
        name
        channels {
          channel
          available
          unavailableReason
          templateRequirement
        }
      }
    }
  }
}
`;

export const SEND_MUTATION = `# 2. Send a WhatsApp text and close the thread behind it (disposition CLOSE).
#    clientId comes from the Search tab; copy send.id into the Follow tab.
mutation Send($input: SendMessageInput!) {
  sendMessage(input: $input) {
    send {
      id
      state
    }
    userErrors {
      code
      field
      message
    }
  }
}
`;

export const SEND_VARIABLES = `{
  "input": {
    // the id of a client from the Search tab (Anna Ivanova wrote on WhatsApp recently)
    "clientId": "",
    "channel": "WHATSAPP",
    "text": "Hello from Herald's GraphiQL",
    "disposition": { "kind": "CLOSE" }
  }
}
`;

export const FOLLOW_SUBSCRIPTION = `# 3. Follow a send live over the WebSocket: one event per change of state or message status.
#    Subscribe with the id that Send returned (or subscribe first and send after).
subscription Follow($id: ID!) {
  sendUpdated(id: $id) {
    id
    state
    message {
      status
    }
  }
}
`;

export const FOLLOW_VARIABLES = `{
  // send.id from the Send tab ("send:…")
  "id": ""
}
`;

export function demoTabs(): GraphiqlTab[] {
  return [
    { query: SEARCH_QUERY },
    { query: SEND_MUTATION, variables: SEND_VARIABLES },
    { query: FOLLOW_SUBSCRIPTION, variables: FOLLOW_VARIABLES },
  ];
}
