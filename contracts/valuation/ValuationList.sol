// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {ValuerAccreditation} from "./ValuerAccreditation.sol";

/// @title ValuationList
/// @notice Each patent's valuations as a list by valuation date, newest first: the
/// latest one that still counts, found in a bounded walk past dead ones (revoked,
/// expired, or by a withdrawn valuer), which inserts and `prune` unlink.
abstract contract ValuationList is ValuerAccreditation {
    /// @notice How many later-dated, live valuations of a patent a late valuation may be
    /// filed behind.
    uint256 public constant MAX_LATE_STEPS = 8;
    /// @notice How many entries of a patent's list any walk looks at, dead ones included
    /// (revoked, expired, or by a withdrawn valuer): the bound on every walk's gas.
    uint256 public constant MAX_WALK = 64;

    /// @dev What `latestValuation` and `revoke` need, in three slots; everything else,
    /// the patent id included, is in the `ValuationAttested` event.
    struct Record {
        address valuer; // never zero for an attested report
        uint64 validUntil;
        bool revoked;
        uint8 field; // the patent's technical field at attestation: its age policy applies
        bool challenged; // disputed, until the accreditor resolves it: counts nowhere meanwhile
        uint128 value;
        bytes3 currency;
        uint64 valuationDate;
        uint16 subsidyYear; // the calendar year whose subsidy slot it holds; 0 if none
        bytes32 previous; // the patent's valuation with the next earlier date (a list by date)
    }

    mapping(bytes32 reportId => Record) internal _records;
    mapping(bytes32 patentId => bytes32 reportId) internal _latest;
    mapping(uint8 field => uint64) internal _maxAge;

    /// @inheritdoc IValuationRegistry
    function prune(bytes32 patentId, uint256 maxSteps) external returns (uint256 removed) {
        bytes32 cursor = _latest[patentId];
        bytes32 before = bytes32(0);
        for (uint256 steps = 0; cursor != bytes32(0) && steps < maxSteps; ++steps) {
            bytes32 earlier = _records[cursor].previous;
            if (!_dead(cursor)) {
                before = cursor;
            } else {
                if (before == bytes32(0)) _latest[patentId] = earlier;
                else _records[before].previous = earlier;
                ++removed;
            }
            cursor = earlier;
        }
        emit ValuationsPruned(patentId, removed);
    }

    /// @inheritdoc IValuationRegistry
    function isAttested(bytes32 reportId) external view returns (bool) {
        return _records[reportId].valuer != address(0);
    }

    /// @inheritdoc IValuationRegistry
    function isRevoked(bytes32 reportId) external view returns (bool) {
        return _records[reportId].revoked;
    }

    /// @inheritdoc IValuationRegistry
    function latestValuation(bytes32 patentId) external view returns (LatestValuation memory latest) {
        LatestValuation[] memory first = _counting(patentId, 1, bytes32(0));
        if (first.length != 0) latest = first[0];
    }

    /// @inheritdoc IValuationRegistry
    function countingValuation(bytes32 patentId, bytes32 reportId)
        external
        view
        returns (LatestValuation memory found)
    {
        LatestValuation[] memory only = _counting(patentId, 1, reportId);
        if (only.length != 0) found = only[0];
    }

    /// @inheritdoc IValuationRegistry
    function countingValuations(bytes32 patentId) external view returns (LatestValuation[] memory) {
        return _counting(patentId, MAX_WALK, bytes32(0));
    }

    /// @dev The first `max` valuations of the patent that count (only `only`, unless 0),
    /// newest first. Walks back
    /// by valuation date past dead ones (inserts unlink those they pass), at most MAX_WALK
    /// entries: a patent padded with more dead ones shows none, rather than making every
    /// holdings query revert.
    function _counting(bytes32 patentId, uint256 max, bytes32 only)
        private
        view
        returns (LatestValuation[] memory list)
    {
        list = new LatestValuation[](max);
        uint256 count = 0;
        bytes32 id = _latest[patentId];
        for (uint256 steps = 0; id != bytes32(0) && steps < MAX_WALK && count < max; ++steps) {
            // slither-disable-next-line incorrect-equality (an id is matched exactly, not a balance)
            if ((only == bytes32(0) || id == only) && !_dead(id) && !_stale(id) && !_records[id].challenged) {
                Record storage r = _records[id];
                list[count++] = LatestValuation(true, id, r.valuer, r.value, r.currency, r.valuationDate, r.validUntil);
            }
            id = _records[id].previous;
        }
        // Shortens the array to what was found (the memory past it stays unused).
        // slither-disable-next-line assembly (one length word, memory-safe)
        assembly ("memory-safe") {
            mstore(list, count)
        }
    }

    /// @inheritdoc IValuationRegistry
    function maxValuationAge(uint8 field) external view returns (uint64) {
        return _maxAge[field];
    }

    /// @dev Whether `reportId` is one of `patentId`'s valuations: the record keeps no patent
    /// id (it is in the event); the patent's list proves it, in at most MAX_WALK steps. A
    /// dead entry an insert or `prune` already unlinked is found no more, and is accepted:
    /// it counts nowhere, and a decision about it must still be recordable.
    function _ofPatent(bytes32 patentId, bytes32 reportId) internal view returns (bool) {
        bytes32 id = _latest[patentId];
        for (uint256 steps = 0; id != reportId && id != bytes32(0) && steps < MAX_WALK; ++steps) {
            id = _records[id].previous;
        }
        // slither-disable-next-line incorrect-equality (an id found in the list is the membership proof)
        return id == reportId || _dead(reportId);
    }

    /// @dev Older than its field's maximum age: due for revaluation. Not dead (a later,
    /// longer policy can make it count again), so never unlinked for it.
    function _stale(bytes32 reportId) internal view returns (bool) {
        Record storage r = _records[reportId];
        uint64 maxAge = _maxAge[r.field];
        return maxAge != 0 && block.timestamp >= uint256(r.valuationDate) + maxAge;
    }

    /// @dev Whether a valuation dated `date` finds its place in the patent's list behind
    /// at most MAX_LATE_STEPS later-dated live entries, in at most MAX_WALK steps (the
    /// bounds on `_insertByDate`'s walk).
    function _fitsByDate(bytes32 patentId, uint64 date) internal view returns (bool) {
        bytes32 cursor = _latest[patentId];
        uint256 live = 0;
        for (uint256 steps = 0; cursor != bytes32(0) && _records[cursor].valuationDate > date; ++steps) {
            if (steps >= MAX_WALK) return false;
            if (!_dead(cursor)) {
                if (live >= MAX_LATE_STEPS) return false;
                ++live;
            }
            cursor = _records[cursor].previous;
        }
        return true;
    }

    /// @dev Links `reportId` into the patent's list, newest valuation date first; returns
    /// the entry it goes before. A valuation relayed late (older date) walks back to its
    /// place (`_fitsByDate` bounded the walk) and unlinks the dead entries it passes, which
    /// can never count again: padding a patent with dead entries costs its author, once.
    function _insertByDate(bytes32 patentId, bytes32 reportId, uint64 date) internal returns (bytes32) {
        bytes32 cursor = _latest[patentId];
        bytes32 before = bytes32(0); // the live entry that will point to reportId; 0: the head
        while (cursor != bytes32(0) && _records[cursor].valuationDate > date) {
            bytes32 earlier = _records[cursor].previous;
            if (!_dead(cursor)) {
                before = cursor;
            } else if (before == bytes32(0)) {
                _latest[patentId] = earlier;
            } else {
                _records[before].previous = earlier;
            }
            cursor = earlier;
        }
        if (before == bytes32(0)) _latest[patentId] = reportId;
        else _records[before].previous = reportId;
        return cursor;
    }

    /// @dev A valuation that can never count again: revoked, expired, or by a valuer
    /// withdrawn for cause.
    function _dead(bytes32 reportId) internal view returns (bool) {
        Record storage r = _records[reportId];
        return r.revoked || block.timestamp >= r.validUntil || _withdrawn[r.valuer];
    }
}
