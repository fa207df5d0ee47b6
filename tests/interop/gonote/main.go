// gonote runs Go's reference implementation of signed notes and transparency-log
// hashing (golang.org/x/mod/sumdb/note and sumdb/tlog) for pingyi's interoperability
// tests (tests/interop/test_go_reference.py). It is test tooling: nothing in pingyi
// calls it. Every command reads its input on stdin and writes JSON (or a note) on
// stdout; on failure it prints the error on stderr and exits 1.
//
//	gonote open VKEY...      stdin: a signed note     out: {"text", "sigs": [{"name","hash"}]}
//	gonote keygen NAME SEED  SEED: 64 hex digits      out: {"skey", "vkey"}
//	gonote vkey NAME PUB     PUB: base64 public key   out: the verifier key string
//	gonote sign SKEY...      stdin: the note text     out: the signed note
//	gonote tree              stdin: {"records", "inclusion", "consistency"}
//	                         out: {"roots", "inclusion", "consistency"} (base64 hashes)
package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

func main() {
	if len(os.Args) < 2 {
		fail(errors.New("usage: gonote open|keygen|vkey|sign|tree ..."))
	}
	stdin, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail(err)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "open":
		err = open(stdin, args)
	case "keygen":
		err = keygen(args)
	case "vkey":
		err = vkey(args)
	case "sign":
		err = sign(stdin, args)
	case "tree":
		err = tree(stdin)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func emit(v any) error {
	return json.NewEncoder(os.Stdout).Encode(v)
}

func open(msg []byte, vkeys []string) error {
	var verifiers []note.Verifier
	for _, vkey := range vkeys {
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return err
		}
		verifiers = append(verifiers, v)
	}
	n, err := note.Open(msg, note.VerifierList(verifiers...))
	if err != nil {
		return err
	}
	type sig struct {
		Name string `json:"name"`
		Hash string `json:"hash"`
	}
	var sigs []sig
	for _, s := range n.Sigs {
		sigs = append(sigs, sig{s.Name, fmt.Sprintf("%08x", s.Hash)})
	}
	return emit(map[string]any{"text": n.Text, "sigs": sigs})
}

func keygen(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: gonote keygen NAME SEED")
	}
	seed, err := hex.DecodeString(args[1])
	if err != nil || len(seed) != ed25519.SeedSize {
		return fmt.Errorf("the seed must be %d bytes in hex", ed25519.SeedSize)
	}
	skey, vkey, err := note.GenerateKey(bytes.NewReader(seed), args[0])
	if err != nil {
		return err
	}
	return emit(map[string]string{"skey": skey, "vkey": vkey})
}

func vkey(args []string) error {
	if len(args) != 2 {
		return errors.New("usage: gonote vkey NAME PUB")
	}
	public, err := base64.StdEncoding.DecodeString(args[1])
	if err != nil {
		return err
	}
	key, err := note.NewEd25519VerifierKey(args[0], ed25519.PublicKey(public))
	if err != nil {
		return err
	}
	_, err = fmt.Println(key)
	return err
}

func sign(text []byte, skeys []string) error {
	var signers []note.Signer
	for _, skey := range skeys {
		s, err := note.NewSigner(skey)
		if err != nil {
			return err
		}
		signers = append(signers, s)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signers...)
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(msg)
	return err
}

type hashes []tlog.Hash

func (h hashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = h[x]
	}
	return out, nil
}

func encode(proof []tlog.Hash) []string {
	out := make([]string, len(proof))
	for i, h := range proof {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

func tree(input []byte) error {
	var req struct {
		Records     [][]byte   `json:"records"`
		Inclusion   [][2]int64 `json:"inclusion"`   // [index, size]
		Consistency [][2]int64 `json:"consistency"` // [size1, size2]
	}
	if err := json.Unmarshal(input, &req); err != nil {
		return err
	}
	var stored hashes
	var roots []string
	for i, record := range req.Records {
		more, err := tlog.StoredHashes(int64(i), record, stored)
		if err != nil {
			return err
		}
		stored = append(stored, more...)
		root, err := tlog.TreeHash(int64(i+1), stored)
		if err != nil {
			return err
		}
		roots = append(roots, base64.StdEncoding.EncodeToString(root[:]))
	}
	inclusion := [][]string{}
	for _, q := range req.Inclusion {
		proof, err := tlog.ProveRecord(q[1], q[0], stored)
		if err != nil {
			return err
		}
		inclusion = append(inclusion, encode(proof))
	}
	consistency := [][]string{}
	for _, q := range req.Consistency {
		proof, err := tlog.ProveTree(q[1], q[0], stored)
		if err != nil {
			return err
		}
		consistency = append(consistency, encode(proof))
	}
	return emit(map[string]any{"roots": roots, "inclusion": inclusion, "consistency": consistency})
}
